using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;

namespace Registrator.Actors.Nats;

/// <summary>
/// One message the <see cref="EventsPublisher"/> publishes: an event the node recorded (<c>events-subject</c>, the
/// store's exact member bytes) or an incident that just opened (<c>started-subject</c>, the task's announcement JSON),
/// both with the event's id in the <c>Event-Id</c> header, so a subscriber can pair a start with its final event.
/// </summary>
internal sealed record Announcement(string Subject, Guid EventId, string TaskKey, byte[] Payload)
{
    public static Announcement Of(EventRecorded recorded, NatsSettings settings) =>
        new(settings.EventsSubject, recorded.Event.EventId, recorded.Event.TaskKey, System.Text.Encoding.UTF8.GetBytes(recorded.MemberJson));

    public static Announcement Of(IncidentStarted started, NatsSettings settings) =>
        new(settings.StartedSubject, started.EventId, started.TaskKey, System.Text.Encoding.UTF8.GetBytes(started.Json));

    public NatsHeaders Headers() => new()
    {
        [NatsHeaderNames.EventId] = EventId.ToString("D"),
        [NatsHeaderNames.ContentType] = NatsHeaderNames.Json,
    };
}
