using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Contracts;

namespace Registrator.Actors.Events;

/// <summary>
/// The one place that builds what the event store announces once Redis has an event: the
/// <see cref="TaskEvents.EventRegistered"/> its requester hears and the node's event stream and the cluster's pub-sub
/// topic carry, and the <see cref="EventRecorded"/> (with the exact member JSON) the NATS bridge publishes. Pure.
/// </summary>
/// <param name="Registered">To the requester, the event stream and the DistributedPubSub topic.</param>
/// <param name="Recorded">To the event stream, for outbound publishers (NATS).</param>
public sealed record EventAnnouncement(TaskEvents.EventRegistered Registered, EventRecorded Recorded)
{
    /// <summary>
    /// The announcement of <paramref name="pending"/>; the member is the payload Redis got for the sorted-set store, and
    /// for the list store the member that store would have written (<paramref name="origin"/>), so readers of
    /// <see cref="EventRecorded"/> see one schema whichever store is configured.
    /// </summary>
    public static EventAnnouncement Of(PendingEvent pending, Func<EventOrigin> origin)
    {
        var e = pending.Event;
        var registered = RegisteredOf(e);
        var member = pending.Sink == SortedSetEventSink.SinkName ? pending.Payload : EventMember.Build(e, origin());
        return new EventAnnouncement(registered, new EventRecorded(e, member));
    }

    /// <summary>What a registration's requester and the event stream hear about <paramref name="e"/>.</summary>
    public static TaskEvents.EventRegistered RegisteredOf(RegisteredEvent e) =>
        new(e.TaskKey, e.EventId, e.VideoPath, e.ImagePath, e.Timestamp, e.Error);
}
