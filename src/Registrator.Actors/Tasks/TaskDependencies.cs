using Akka.Actor;

namespace Registrator.Actors.Tasks;

/// <summary>
/// What a node gives each of its task actors. <see cref="ActorRefs.Nobody"/> stands for a part the node does not run:
/// without an encoder registration is rejected; without an event store the task answers the registering sender itself.
/// Without a <see cref="Handoff"/> a task's state ends with its incarnation. <see cref="NodeUrl"/> gives this node's HTTP
/// base URL (known only once the server listens) for the keyframe URL of an incident's announcement.
/// </summary>
public sealed record TaskDependencies(FrameMemoryBudget Budget, IActorRef Encoder, IActorRef EventStore, TaskHandoff? Handoff = null)
{
    public Func<string?> NodeUrl { get; init; } = static () => null;
}
