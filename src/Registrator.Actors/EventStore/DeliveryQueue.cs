using Akka.Actor;

namespace Registrator.Actors.EventStore;

/// <summary>An event waiting for Redis, and who to tell when it is there.</summary>
internal sealed record Delivery(PendingEvent Pending, IActorRef ReplyTo);

/// <summary>
/// The <see cref="EventStoreActor"/>'s bounded in-memory window over the outbox's undelivered events, in outbox order.
/// When the window is full, newer events stay only in the file ("spilled", from <see cref="SpillOffset"/> on) and are
/// read back once the window drains, so order holds and memory stays bounded however long Redis is away.
/// Plain state, no actor: the actor decides when to read the file.
/// </summary>
internal sealed class DeliveryQueue(int capacity)
{
    private readonly Queue<Delivery> _queue = new();
    // Spilled events lose their place in memory but not their reply address (a few bytes each).
    private readonly Dictionary<Guid, IActorRef> _spilledReplyTo = new();

    /// <summary>Offset in the outbox of the first event held only in the file; <c>null</c> when none is.</summary>
    public long? SpillOffset { get; private set; }

    public int Count => _queue.Count;

    /// <summary>Nothing undelivered, in memory or in the file.</summary>
    public bool IsDrained => _queue.Count == 0 && SpillOffset is null;

    /// <summary>The window is empty but the file holds more: time to read it.</summary>
    public bool NeedsRefill => _queue.Count == 0 && SpillOffset is not null;

    /// <summary>The oldest undelivered event: the only one being written.</summary>
    public Delivery? Head => _queue.TryPeek(out var head) ? head : null;

    /// <summary>Adds the events the outbox recovered at start.</summary>
    public void Start(IReadOnlyList<PendingEvent> inMemory, long? spillOffset)
    {
        foreach (var pending in inMemory) _queue.Enqueue(new Delivery(pending, ActorRefs.Nobody));
        SpillOffset = spillOffset;
    }

    /// <summary>An event just made durable at <paramref name="offset"/>: held in memory if there is room and nothing older waits in the file.</summary>
    public void Offer(PendingEvent pending, IActorRef replyTo, long offset)
    {
        if (SpillOffset is null && _queue.Count < capacity)
        {
            _queue.Enqueue(new Delivery(pending, replyTo));
            return;
        }
        SpillOffset ??= offset;
        if (!replyTo.IsNobody()) _spilledReplyTo[pending.EventId] = replyTo;
    }

    /// <summary>
    /// The outbox was compacted: the spilled events now start at <paramref name="spillOffset"/> of the new file. Kept
    /// <c>null</c> when nothing was spilled (the compaction found only the window's events).
    /// </summary>
    public void Rebase(long? spillOffset)
    {
        if (SpillOffset is not null) SpillOffset = spillOffset;
    }

    /// <summary>Removes the head once Redis has it.</summary>
    public Delivery Dequeue() => _queue.Dequeue();

    /// <summary>Events read back from the file; <paramref name="nextOffset"/> is where the rest starts, <c>null</c> when none is left.</summary>
    public void Refill(IReadOnlyList<PendingEvent> events, long? nextOffset)
    {
        foreach (var pending in events)
        {
            var replyTo = _spilledReplyTo.Remove(pending.EventId, out var actor) ? actor : ActorRefs.Nobody;
            _queue.Enqueue(new Delivery(pending, replyTo));
        }
        SpillOffset = nextOffset;
    }
}
