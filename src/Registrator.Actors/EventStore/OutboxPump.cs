using Akka.Actor;

namespace Registrator.Actors.EventStore;

/// <summary>An event the store received, waiting for its add line: who to acknowledge, who to tell once Redis has it.</summary>
public sealed record AcceptedEvent(PendingEvent Pending, IActorRef Sender, IActorRef ReplyTo);

/// <summary>One file operation of the outbox, as <see cref="OutboxPump.Next"/> chooses it.</summary>
public abstract record OutboxOperation
{
    /// <summary>One write (group commit) of the done lines, then the add lines, flushed to disk when it holds adds.</summary>
    public sealed record Append(IReadOnlyList<AcceptedEvent> Adds, IReadOnlyList<Guid> Done) : OutboxOperation;

    /// <summary>Empty the file: every event in it is done (the queue is drained).</summary>
    public sealed record Truncate(IReadOnlyList<Guid> Done) : OutboxOperation;

    /// <summary>Rewrite the file with only its undelivered adds; <paramref name="Done"/> are delivered events whose done lines were not written.</summary>
    public sealed record Compact(IReadOnlyList<Guid> Done) : OutboxOperation;

    /// <summary>Read spilled events back into the delivery queue.</summary>
    public sealed record Refill : OutboxOperation
    {
        public static readonly Refill Instance = new();
    }
}

/// <summary>
/// The outbox pipeline as plain state, no actor and no file: what waits to be written (new events, done lines), and
/// which single file operation comes next. The <see cref="EventStoreActor"/> runs the operation off its thread and
/// reports back with <see cref="Succeeded"/> or <see cref="Failed"/>; a failed one puts everything back, in order, so
/// nothing acknowledged is ever lost and nothing unacknowledged is ever claimed.
/// <code>
///   idle ── Next ──► busy ── Succeeded ──► idle
///                      └──── Failed ─────► backing off ── RetryNow ──► idle
/// </code>
/// </summary>
public sealed class OutboxPump(int compactAfter)
{
    private readonly List<AcceptedEvent> _toAppend = [];
    private readonly List<Guid> _doneToWrite = [];

    public bool Busy { get; private set; }
    public bool BackingOff { get; private set; }

    /// <summary>Failed operations in a row.</summary>
    public int Attempt { get; private set; }

    /// <summary>Done lines in the file since it was last emptied or compacted.</summary>
    public int DoneInFile { get; private set; }

    /// <summary>Events received and not yet in the file (unacknowledged).</summary>
    public int Waiting => _toAppend.Count;

    public void Add(AcceptedEvent accepted) => _toAppend.Add(accepted);

    /// <summary>Redis has the event (or the dead letters do): its done line is due.</summary>
    public void Done(Guid eventId) => _doneToWrite.Add(eventId);

    /// <summary>
    /// The next operation, or <c>null</c> when none is due or one is running or backing off. Priority: truncate a file
    /// whose events are all done; compact after <c>compact-after</c> done lines, however busy the queue (so the file
    /// stays bounded under steady load); append what waits; read spilled events back.
    /// </summary>
    public OutboxOperation? Next(bool queueDrained, bool queueNeedsRefill)
    {
        if (Busy || BackingOff) return null;
        OutboxOperation? next =
            _toAppend.Count == 0 && _doneToWrite.Count > 0 && queueDrained ? new OutboxOperation.Truncate(TakeDone())
            : DoneInFile + _doneToWrite.Count >= compactAfter ? new OutboxOperation.Compact(TakeDone())
            : _toAppend.Count > 0 || _doneToWrite.Count > 0 ? new OutboxOperation.Append(TakeAdds(), TakeDone())
            : queueNeedsRefill ? OutboxOperation.Refill.Instance
            : null;
        Busy = next is not null;
        return next;
    }

    public void Succeeded(OutboxOperation operation)
    {
        Busy = false;
        Attempt = 0;
        switch (operation)
        {
            case OutboxOperation.Truncate or OutboxOperation.Compact: DoneInFile = 0; break;
            case OutboxOperation.Append append: DoneInFile += append.Done.Count; break;
        }
    }

    /// <summary>Puts the operation's lines back at the front, in order, and backs off; returns the attempt count.</summary>
    public int Failed(OutboxOperation operation)
    {
        Busy = false;
        BackingOff = true;
        Attempt++;
        switch (operation)
        {
            case OutboxOperation.Append append:
                _toAppend.InsertRange(0, append.Adds);
                _doneToWrite.InsertRange(0, append.Done);
                break;
            case OutboxOperation.Truncate truncate: _doneToWrite.InsertRange(0, truncate.Done); break;
            case OutboxOperation.Compact compact: _doneToWrite.InsertRange(0, compact.Done); break;
        }
        return Attempt;
    }

    public void RetryNow() => BackingOff = false;

    private AcceptedEvent[] TakeAdds()
    {
        var adds = _toAppend.ToArray();
        _toAppend.Clear();
        return adds;
    }

    private Guid[] TakeDone()
    {
        var done = _doneToWrite.ToArray();
        _doneToWrite.Clear();
        return done;
    }
}
