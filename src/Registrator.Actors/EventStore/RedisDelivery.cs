namespace Registrator.Actors.EventStore;

/// <summary>
/// The Redis delivery step as plain state, no actor and no Redis: the <see cref="DeliveryQueue"/> window over the
/// outbox, the <see cref="DeliveryState"/> of its head's write, and the count of undelivered events (the outbox depth
/// metric). It decides which event is written next and what an answer means; the actor runs the writes and says so.
/// <code>
///   NextWrite ──► head written ── Delivered ──► dequeued, outage over
///                     ├─────────── Failed ───► back off (retry), or DeadLetter ── DeadLettered ──► dequeued
///                     └─ an answer about another event (stale) ──► the write is over, nothing dequeued
/// </code>
/// </summary>
internal sealed class RedisDelivery(DeliveryQueue queue, DeliveryState state)
{
    /// <summary>Events in the outbox not yet in Redis nor in the dead letters.</summary>
    public long Undelivered { get; private set; }

    public DeliveryState State => state;

    /// <summary>The events the outbox recovered at start go first.</summary>
    public void Recovered(OutboxRecovery recovery)
    {
        queue.Start(recovery.InMemory, recovery.SpillOffset);
        Undelivered = recovery.Pending;
    }

    /// <summary>An event now durable in the outbox at <paramref name="offset"/>.</summary>
    public void Accepted(AcceptedEvent accepted, long offset)
    {
        queue.Offer(accepted.Pending, accepted.ReplyTo, offset);
        Undelivered++;
    }

    /// <summary>Spilled events read back; the unreadable ones among them are lost to delivery (and logged by the caller).</summary>
    public void Refilled(OutboxBatch batch)
    {
        Undelivered -= batch.Problems.Count;
        queue.Refill(batch.Events, batch.NextOffset);
    }

    /// <summary>The event to write now, or <c>null</c>: one write at a time, none while backing off, none when the window is empty.</summary>
    public Delivery? NextWrite()
    {
        if (!state.CanStart || queue.Head is not { } head) return null;
        state.Started();
        return head;
    }

    /// <summary>The head when an answer is about it; otherwise the answer is stale, the write is over, and <c>null</c>.</summary>
    public Delivery? AnswerFor(Guid eventId)
    {
        if (queue.Head is { } head && head.Pending.EventId == eventId) return head;
        state.Abandoned();
        return null;
    }

    /// <summary>Redis has the head (<see cref="AnswerFor"/> returned it): dequeued; the outage it ended, if any.</summary>
    public (Delivery Delivery, TimeSpan? Outage) Delivered(DateTimeOffset now)
    {
        var delivery = queue.Dequeue();
        Undelivered--;
        return (delivery, state.Delivered(now));
    }

    /// <summary>The head's write failed: retry after a back-off, or <see cref="DeliveryVerdict.DeadLetter"/> (deliveries stay paused).</summary>
    public DeliveryVerdict Failed(Exception cause, DateTimeOffset now) => state.Failed(cause, now);

    /// <summary>The head is in the dead-letter file: dequeued like a delivered event, the next starts afresh.</summary>
    public Delivery DeadLettered()
    {
        var delivery = queue.Dequeue();
        Undelivered--;
        state.DeadLettered();
        return delivery;
    }
}
