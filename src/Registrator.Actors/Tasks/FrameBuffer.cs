using Registrator.Media;

namespace Registrator.Actors.Tasks;

/// <summary>
/// A task's frames for the current cycle: all of one size, at most <see cref="MaxFrames"/>, the oldest
/// dropped first (counted by the caller). Not thread-safe: owned by one task actor.
/// </summary>
public sealed class FrameBuffer(int maxFrames)
{
    private Queue<BgrFrame> _frames = new();

    public int MaxFrames { get; } = maxFrames > 0 ? maxFrames : throw new ArgumentOutOfRangeException(nameof(maxFrames));
    public int Width { get; private set; }
    public int Height { get; private set; }
    public int Count => _frames.Count;
    public long FrameBytes => 3L * Width * Height;
    public long Bytes => FrameBytes * _frames.Count;
    public bool HasSize => Width > 0;

    /// <summary>Why a frame of this size cannot join the cycle, or null when it can.</summary>
    public string? SizeMismatch(int width, int height) =>
        HasSize && (width != Width || height != Height)
            ? $"frame size {width}x{height} does not match this cycle's frame size {Width}x{Height}"
            : null;

    /// <summary>Appends a frame whose size was checked; returns the oldest frame when one had to make room.</summary>
    public BgrFrame? Add(int width, int height, BgrFrame frame)
    {
        Width = width;
        Height = height;
        BgrFrame? dropped = _frames.Count >= MaxFrames ? _frames.Dequeue() : null;
        _frames.Enqueue(frame);
        return dropped;
    }

    /// <summary>Drops the oldest frame to make room under the node's budget; false when empty.</summary>
    public bool DropOldest() => _frames.TryDequeue(out _);

    /// <summary>Moves every frame out (ownership passes to the caller, no copy) and keeps the cycle's frame size.</summary>
    public IReadOnlyList<BgrFrame> TakeAll()
    {
        var taken = _frames.ToArray();
        _frames = new Queue<BgrFrame>();
        return taken;
    }

    /// <summary>Forgets all frames and the frame size: a new cycle.</summary>
    public void Reset()
    {
        _frames = new Queue<BgrFrame>();
        Width = Height = 0;
    }
}
