namespace Registrator.Actors.EventStore;

/// <summary>Where the event store records events (<c>registrator.events.store</c>).</summary>
public enum EventStoreKind
{
    /// <summary><c>sorted-set</c>: ZADD to the sorted set <c>events</c>, the Python module's store.</summary>
    SortedSet,
    /// <summary><c>list</c>: LPUSH to <c>custom_events:&lt;task key&gt;</c>, the documentation's custom registrator.</summary>
    List,
}
