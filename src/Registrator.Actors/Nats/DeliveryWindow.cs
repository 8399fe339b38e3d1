namespace Registrator.Actors.Nats;

/// <summary>
/// How many messages a stream has sent to tasks (with Tell) that are not answered yet, bounded by credits: a message
/// waits for a credit, a task's answer gives one back. This is the inference-results stream's back-pressure without an
/// Ask (a temporary actor and a timer) per message. Answers that never come — a message lost in a rebalance — are
/// reclaimed when no answer at all arrived for a whole timeout period, so the window cannot leak shut.
/// </summary>
internal sealed class DeliveryWindow(int size)
{
    private readonly SemaphoreSlim _credits = new(size, size);
    private long _sent;
    private long _answered;
    private long _answeredAtLastCheck = -1;

    public int Size { get; } = size;

    public Task WaitAsync(CancellationToken cancellation) => _credits.WaitAsync(cancellation);

    /// <summary>Called just before the Tell, so an answer is never counted before its message.</summary>
    public void Sent() => Interlocked.Increment(ref _sent);

    public void Answered()
    {
        Interlocked.Increment(ref _answered);
        Release(1);
    }

    /// <summary>
    /// Called once per timeout period: when messages are outstanding and nothing was answered since the last call,
    /// they are taken as lost and their credits returned. Returns how many.
    /// </summary>
    public long ReclaimIfStalled()
    {
        var answered = Interlocked.Read(ref _answered);
        var outstanding = Interlocked.Read(ref _sent) - answered;
        if (outstanding <= 0 || answered != _answeredAtLastCheck)
        {
            _answeredAtLastCheck = answered;
            return 0;
        }
        _answeredAtLastCheck = Interlocked.Add(ref _answered, outstanding);
        Release(outstanding);
        return outstanding;
    }

    private void Release(long count)
    {
        try
        {
            _credits.Release((int)Math.Min(count, Size));
        }
        catch (SemaphoreFullException)
        {
            // A late answer to a message already reclaimed: the window is full again, nothing to give back.
        }
    }
}
