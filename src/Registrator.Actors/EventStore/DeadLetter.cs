namespace Registrator.Actors.EventStore;

/// <summary>
/// An event Redis refused for good (<see cref="Redis.RedisErrors.IsPermanent"/>) after the configured attempts: kept in
/// the dead-letter file beside the outbox, with why, until an operator replays it (<c>registrator dead-letters replay</c>).
/// </summary>
/// <param name="Reason">The last error Redis answered, verbatim.</param>
/// <param name="Attempts">Writes tried before giving up.</param>
/// <param name="At">When it was given up on.</param>
public sealed record DeadLetter(PendingEvent Pending, string Reason, int Attempts, DateTimeOffset At)
{
    public Guid EventId => Pending.EventId;
}
