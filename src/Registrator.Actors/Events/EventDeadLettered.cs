using Registrator.Actors.EventStore;

namespace Registrator.Actors.Events;

/// <summary>
/// Published on the node's event stream when the <see cref="EventStoreActor"/> gives up on an event and moves it to the
/// dead letters: the event is not in Redis, its task's requester heard <see cref="Contracts.TaskEvents.RegistrationFailed"/>.
/// </summary>
public sealed record EventDeadLettered(Guid EventId, string TaskKey, string Reason);
