namespace Registrator.Actors.Tasks;

/// <summary>
/// The node-wide bound on raw frame bytes held by all tasks on this node (<c>registrator.task.max-buffer-bytes</c>).
/// Tasks reserve bytes before buffering a frame and release them when the frame is dropped or its clip is
/// written. Raw 640×480 BGR is 0.9 MB a frame: this bound is what keeps a node with many cameras alive.
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

    public void Release(long bytes)
    {
        if (bytes > 0) Interlocked.Add(ref _used, -bytes);
    }
}
