using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Registrator.Actors.EventStore;
using Registrator.Contracts;

namespace Registrator.Node.Http.Events;

/// <summary>
/// Feeds the page's event streams: subscribes to the cluster topic <see cref="EventStoreActor.Topic"/>, on which every
/// node's event store publishes <see cref="TaskEvents.EventRegistered"/> once Redis has the event, and hands each one to
/// the node's <see cref="EventFeed"/>. So a page on any node sees the events of the whole cluster. Started once per
/// node with an HTTP server; receives nothing else.
/// </summary>
internal sealed class EventFeedActor : ReceiveActor
{
    public const string Name = "http-event-feed";

    private readonly EventFeed _feed;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public EventFeedActor(EventFeed feed)
    {
        _feed = feed;
        Receive<TaskEvents.EventRegistered>(HandleRegistered);
        Receive<SubscribeAck>(ack => _log.Debug("Event feed subscribed to {0}", ack.Subscribe.Topic));
    }

    public static Props Props(EventFeed feed) => Akka.Actor.Props.Create(() => new EventFeedActor(feed));

    protected override void PreStart() =>
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(EventStoreActor.Topic, Self));

    private void HandleRegistered(TaskEvents.EventRegistered registered) =>
        _feed.Publish(new EventNotice(registered.EventId, registered.TaskKey, registered.Timestamp, registered.Error));
}
