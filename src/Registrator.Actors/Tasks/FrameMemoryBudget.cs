namespace Registrator.Actors.Tasks;

/// <summary>
/// The node-wide bound on frame bytes held by all tasks on this node (<c>registrator.task.max-buffer-bytes</c>): H.264
/// packets, and raw frames waiting in a reorder window. Each task adds what it holds after every step and releases it
/// when frames are dropped or a clip is written; a task that needs room drops its own oldest GOPs first.
/// Thread-safe: shared by every task actor of the node.
/// </summary>
public sealed class FrameMemoryBudget(long maxBytes)
{
    private long _used;

    public long MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "must be positive");

    public long UsedBytes => Interlocked.Read(ref _used);

    /// <summary>Reserves <paramref name="bytes"/> if they fit under the bound; false (and nothing reserved) otherwise.</summary>
    public bool TryReserve(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > MaxBytes) return false;
            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used) return true;
        }
    }

    /// <summary>Counts bytes a task now holds (the task already made room for them, so this never fails).</summary>
    public void Add(long bytes)
    {
        if (bytes > 0) Interlocked.Add(ref _used, bytes);
    }

    public void Release(long bytes)
    {
        if (bytes > 0) Interlocked.Add(ref _used, -bytes);
    }
}
