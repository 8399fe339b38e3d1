using Registrator.Actors.Redis;

namespace Registrator.Actors.EventStore.Sinks;

/// <summary>
/// Every sink a store can write through, by name, and the one configured for new events. All stay available: an event
/// waiting in the outbox is written by the sink it was prepared for, even when the node restarted with the other store.
/// </summary>
internal sealed class EventSinks
{
    private readonly Dictionary<string, IEventSink> _byName;

    public EventSinks(RedisConnection connection, RedisKeys keys, string configured)
    {
        var sortedSet = new SortedSetEventSink(connection, keys);
        var list = new ListEventSink(connection, keys);
        _byName = new Dictionary<string, IEventSink> { [sortedSet.Name] = sortedSet, [list.Name] = list };
        Configured = _byName[configured];
    }

    /// <summary>The sink new events are prepared for (<c>registrator.events.store</c>).</summary>
    public IEventSink Configured { get; }

    /// <summary>The sink an outbox line names.</summary>
    public IEventSink this[string name] => _byName[name];

    /// <summary>Whether an outbox line's sink can still be written (an unknown one is an unreadable line).</summary>
    public bool Knows(string name) => _byName.ContainsKey(name);
}
