using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Sinks;

namespace Registrator.Actors.EventStore;

/// <summary>
/// An event on its way to Redis, prepared once by an <see cref="IEventSink"/> when the <see cref="EventStoreActor"/>
/// receives it: which sink writes it, to which key, with which score, and the exact <paramref name="Payload"/> every
/// attempt writes. The outbox stores all of it, so a retry after a restart writes the same bytes.
/// </summary>
/// <param name="Sink">The sink's name (<c>sorted-set</c> or <c>list</c>): a re-delivery uses the sink the event was prepared for.</param>
/// <param name="RedisKey">The key written: the sorted set, or the task's list.</param>
/// <param name="Score">Unix seconds (the event's timestamp); the sorted-set score.</param>
/// <param name="Payload">The member (sorted set) or entry (list), JSON.</param>
public sealed record PendingEvent(RegisteredEvent Event, string Sink, string RedisKey, double Score, string Payload)
{
    public Guid EventId => Event.EventId;
}
