using System.Threading.Channels;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using NATS.Client.Core;
using Registrator.Actors.Events;

namespace Registrator.Actors.Nats;

/// <summary>
/// The <see cref="NatsBridge"/>'s outbound actor. Receives from the node's event stream <see cref="EventRecorded"/>
/// (published by the event store once an event is in Redis) and <see cref="IncidentStarted"/> (published by a task
/// whose span incident opened), and announces each, in the order received:
/// <code>
///   EventRecorded   ─┐
///   IncidentStarted ─┴─► bounded channel (events-buffer) ─► publish events-subject / started-subject
/// </code>
/// The channel never makes this actor wait: what does not fit is counted (<c>events-dropped</c>) and skipped, as the
/// event is in the store anyway. Its connection is opened at start, so the node's readiness reflects it.
/// </summary>
internal sealed class EventsPublisher : NatsSubjectActor
{
    private const string ConnectionRole = "events";

    private ChannelWriter<Announcement>? _out;

    public EventsPublisher(BridgeContext bridge) : base(bridge, ConnectionRole, bridge.Settings.EventsSubject)
    {
        Receive<EventRecorded>(recorded => Offer(Announcement.Of(recorded, Settings)));
        Receive<IncidentStarted>(started => Offer(Announcement.Of(started, Settings)));
    }

    public static Props Props(BridgeContext bridge) => Akka.Actor.Props.Create(() => new EventsPublisher(bridge));

    protected override void PreStart()
    {
        base.PreStart();
        _ = ConnectQuietlyAsync(Connection);
        Context.System.EventStream.Subscribe(Self, typeof(EventRecorded));
        Context.System.EventStream.Subscribe(Self, typeof(IncidentStarted));
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _out?.TryComplete();
        base.PostStop();
    }

    protected override UniqueKillSwitch Run(IMaterializer materializer)
    {
        var (connection, token) = (Connection, ShutdownToken);
        // Bounded and never waiting: this actor writes with TryWrite and counts what does not fit.
        var announcements = Channel.CreateBounded<Announcement>(new BoundedChannelOptions(Settings.EventsBuffer)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        _out = announcements.Writer;
        return ChannelSource.FromReader(announcements.Reader)
            .ViaMaterialized(KillSwitches.Single<Announcement>(), Keep.Right)
            .Via(TaskDelivery.Stage<Announcement>(1, announcement => PublishAsync(connection, announcement, token)))
            .ToMaterialized(Outcomes(), Keep.Left)
            .Run(materializer);
    }

    private void Offer(Announcement announcement)
    {
        if (_out?.TryWrite(announcement) == true) return;
        Count(new BadInput(BadInputReason.EventsDropped,
            $"[{announcement.TaskKey}] event {announcement.EventId} not announced on {announcement.Subject}: {Settings.EventsBuffer} announcements already waiting to be published"));
    }

    private static async Task<BadInput?> PublishAsync(NatsConnection connection, Announcement announcement, CancellationToken token)
    {
        try
        {
            await connection.PublishAsync(announcement.Subject, announcement.Payload, announcement.Headers(), cancellationToken: token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            return token.IsCancellationRequested
                ? null
                : new BadInput(BadInputReason.PublishFailed, $"[{announcement.TaskKey}] event {announcement.EventId} not published on {announcement.Subject}: {e.Message}");
        }
    }

    private static async Task ConnectQuietlyAsync(NatsConnection connection)
    {
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client keeps trying (retry-on-initial-connect); the connection's events report how that goes.
        }
    }
}
