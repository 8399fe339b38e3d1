using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Registrator.Actors.Events;
using Registrator.Actors.Metrics;
using Registrator.Contracts;

namespace Registrator.Actors.EventStore;

/// <summary>
/// How the store tells the outcome of an event once it left the outbox: to the task that asked, on the node's event
/// stream, in the metrics and, on a cluster node, on the DistributedPubSub topic.
/// </summary>
/// <param name="pubSub">The cluster's mediator, <c>null</c> on a node without cluster.</param>
internal sealed class StoreAnnouncer(ActorSystem system, RegistratorMetrics metrics, IActorRef? pubSub, string topic)
{
    /// <summary>Redis has the event.</summary>
    public void Registered(Delivery delivery, Func<EventOrigin> origin)
    {
        var (registered, recorded) = EventAnnouncement.Of(delivery.Pending, origin);
        delivery.ReplyTo.TellIfListening(registered, system);
        system.EventStream.Publish(registered);
        metrics.EventRegistered(withClip: registered.Error is null);
        system.EventStream.Publish(recorded);
        pubSub?.Tell(new Publish(topic, registered));
    }

    /// <summary>Redis refused the event for good: it is in the dead letters, and its task reports a failed registration.</summary>
    public void DeadLettered(Delivery delivery, DeadLetter letter)
    {
        metrics.EventDeadLettered();
        var taskKey = delivery.Pending.Event.TaskKey;
        delivery.ReplyTo.TellIfListening(new TaskEvents.RegistrationFailed(taskKey,
            $"event {letter.EventId} was not recorded: Redis refused it ({letter.Reason}); kept in the dead letters"), system);
        system.EventStream.Publish(new EventDeadLettered(letter.EventId, taskKey, letter.Reason));
    }
}
