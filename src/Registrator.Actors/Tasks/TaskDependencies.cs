using Akka.Actor;

namespace Registrator.Actors.Tasks;

/// <summary>
/// What a node gives each of its task actors. <see cref="ActorRefs.Nobody"/> stands for a part the node does not run:
/// without an encoder registration is rejected; without an event store the task answers the registering sender itself.
/// Without a <see cref="Handoff"/> a task's state ends with its incarnation.
/// </summary>
public sealed record TaskDependencies(FrameMemoryBudget Budget, IActorRef Encoder, IActorRef EventStore, TaskHandoff? Handoff = null);
