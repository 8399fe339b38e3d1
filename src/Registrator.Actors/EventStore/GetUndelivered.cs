using Akka.Actor;

namespace Registrator.Actors.EventStore;

/// <summary>
/// Asks the <see cref="EventStoreActor"/> how many accepted events are not yet in Redis; answered with
/// <see cref="Undelivered"/> in every state. The orphan sweep asks first: such an event's files have no record yet.
/// </summary>
public sealed class GetUndelivered : INoSerializationVerificationNeeded
{
    public static readonly GetUndelivered Instance = new();
    private GetUndelivered() { }
}

/// <summary>The <see cref="EventStoreActor"/>'s answer to <see cref="GetUndelivered"/>.</summary>
/// <param name="Count">Events accepted or waiting to be, not yet in Redis; <c>null</c> while the outbox is still being read (unknown).</param>
public sealed record Undelivered(long? Count) : INoSerializationVerificationNeeded;
