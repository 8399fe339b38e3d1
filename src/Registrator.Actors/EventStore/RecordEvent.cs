using Akka.Actor;
using Registrator.Actors.Events;
using Registrator.Contracts;

namespace Registrator.Actors.EventStore;

/// <summary>
/// Sent by a <see cref="Tasks.TaskActor"/> to its node's event store once the clip is written (or failed). The store
/// answers the sender with <see cref="EventAccepted"/> as soon as the event is durable locally (outbox), and
/// <paramref name="ReplyTo"/> with <see cref="TaskEvents.EventRegistered"/> once the store of record has it.
/// </summary>
public sealed record RecordEvent(RegisteredEvent Event, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

/// <summary>The event store's answer to <see cref="RecordEvent"/>: the event is durable and will be delivered; the task may move on.</summary>
public sealed record EventAccepted(Guid EventId) : INoSerializationVerificationNeeded;
