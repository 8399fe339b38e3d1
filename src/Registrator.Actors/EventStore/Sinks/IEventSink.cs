using Registrator.Actors.Events;

namespace Registrator.Actors.EventStore.Sinks;

/// <summary>
/// Where the <see cref="EventStoreActor"/> records events: the extension point of the documentation's third example
/// (a custom registrator with its own Redis layout). <see cref="Prepare"/> runs once per event on the actor;
/// <see cref="WriteAsync"/> runs once per attempt, one at a time, in order, and must be idempotent: the same prepared
/// event may be written again after a timeout, a crash or a restart.
/// </summary>
public interface IEventSink
{
    /// <summary>Recorded in the outbox with each event; must stay stable across versions.</summary>
    string Name { get; }

    /// <summary>
    /// Builds the key and the exact payload this sink will write for <paramref name="e"/>, naming the recording node
    /// (<paramref name="origin"/>) so that retention knows which node holds the files.
    /// </summary>
    PendingEvent Prepare(RegisteredEvent e, EventOrigin origin);

    /// <summary>Writes the prepared event; completes when Redis has it, faults when it does not (the store retries).</summary>
    Task WriteAsync(PendingEvent pending, CancellationToken cancellationToken);
}
