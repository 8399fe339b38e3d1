using System.Collections.Immutable;
using Registrator.Contracts;
using Registrator.Media;

namespace Registrator.Actors.Tasks;

/// <summary>One frame of the buffer: its H.264 packet and the producer's frame id (which picks a keyframe).</summary>
public sealed record BufferedFrame(EncodedPacket Packet, string? FrameId);

/// <summary>One group of pictures: a keyframe and the frames that depend on it. The unit the bounds drop.</summary>
public sealed record Gop(ImmutableList<BufferedFrame> Frames, long Bytes)
{
    public static Gop Start(BufferedFrame keyframe) => new([keyframe], keyframe.Packet.Data.LongLength);

    public Gop Append(BufferedFrame frame) => new(Frames.Add(frame), Bytes + frame.Packet.Data.LongLength);
}

/// <summary>A raw frame waiting in the reorder window for frames captured before it (or about to go to the encoder).</summary>
/// <param name="Timed">The producer gave the capture time; false: <paramref name="CaptureTime"/> is the arrival time.</param>
/// <param name="Format">Raw BGR24, or the JPEG it arrived as (decoded by the encoder).</param>
public sealed record PendingFrame(byte[] Pixels, string? FrameId, double CaptureTime, DateTimeOffset ArrivedAt, bool Timed = true,
    FrameFormat Format = FrameFormat.Bgr24);

/// <summary>
/// The frames of one cycle, as an immutable value: H.264 packets grouped by GOP (each GOP starts on a keyframe),
/// raw frames still waiting in the reorder window, and how many frames are at the encoder. The packets' bytes are
/// what the bounds count. Every frame of a cycle has one size.
/// </summary>
public sealed record CycleFrames
{
    public static readonly CycleFrames Empty = new();

    public int Width { get; init; }
    public int Height { get; init; }
    public ImmutableList<Gop> Gops { get; init; } = [];
    /// <summary>Frames held as packets.</summary>
    public int Count { get; init; }
    /// <summary>Packet bytes held.</summary>
    public long Bytes { get; init; }
    /// <summary>Raw frames in the reorder window, in capture order.</summary>
    public ImmutableList<PendingFrame> Pending { get; init; } = [];
    public long PendingBytes
    {
        get
        {
            if (Pending.IsEmpty) return 0;
            long bytes = 0;
            foreach (var frame in Pending) bytes += frame.Pixels.LongLength;
            return bytes;
        }
    }
    /// <summary>Frames sent to the encoder whose packets have not come back yet.</summary>
    public int InFlight { get; init; }
    /// <summary>The GOP being built was dropped: packets that depend on it are dropped until the next keyframe.</summary>
    public bool DiscardUntilKeyframe { get; init; }
    /// <summary>The next frame sent to the encoder must start a GOP (a new cycle, or the GOP being built was dropped).</summary>
    public bool ForceKeyframeNext { get; init; } = true;

    public bool HasSize => Width > 0;
    public long RawFrameBytes => 3L * Width * Height;
    public long HeldBytes => Bytes + PendingBytes;

    /// <summary>Why a frame of this size cannot join the cycle, or null when it can.</summary>
    public string? SizeMismatch(int width, int height) =>
        HasSize && (width != Width || height != Height)
            ? $"frame size {width}x{height} does not match this cycle's frame size {Width}x{Height}"
            : null;

    /// <summary>
    /// Adds a packet that came back from the encoder: a keyframe starts a GOP, any other packet joins the last one.
    /// Returns false (and drops the packet) when it depends on a GOP that is no longer held.
    /// </summary>
    public (CycleFrames Frames, bool Kept) Append(BufferedFrame frame)
    {
        var inFlight = Math.Max(0, InFlight - 1);
        if (frame.Packet.IsKeyframe)
        {
            return (this with
            {
                Gops = Gops.Add(Gop.Start(frame)),
                Count = Count + 1,
                Bytes = Bytes + frame.Packet.Data.LongLength,
                InFlight = inFlight,
                DiscardUntilKeyframe = false,
            }, true);
        }
        if (DiscardUntilKeyframe || Gops.IsEmpty) return (this with { InFlight = inFlight }, false);
        return (this with
        {
            Gops = Gops.SetItem(Gops.Count - 1, Gops[^1].Append(frame)),
            Count = Count + 1,
            Bytes = Bytes + frame.Packet.Data.LongLength,
            InFlight = inFlight,
        }, true);
    }

    /// <summary>An encoder that failed a frame closed its session: the next packet it sends is a keyframe.</summary>
    public CycleFrames FrameLost() => this with { InFlight = Math.Max(0, InFlight - 1), DiscardUntilKeyframe = true, ForceKeyframeNext = true };

    /// <summary>
    /// Drops the oldest whole GOP. When that is the GOP being built, the frames still at the encoder that depend on it
    /// are dropped as they come back and the next frame starts a new GOP. <paramref name="lastIsWhole"/>: a keyframe
    /// just came back, so the last GOP held is complete (nothing depends on it any more).
    /// </summary>
    public (CycleFrames Frames, int FramesDropped, long BytesFreed) DropOldestGop(bool lastIsWhole = false)
    {
        if (Gops.IsEmpty) return (this, 0, 0);
        var oldest = Gops[0];
        var wasBuilding = Gops.Count == 1 && !lastIsWhole;
        return (this with
        {
            Gops = Gops.RemoveAt(0),
            Count = Count - oldest.Frames.Count,
            Bytes = Bytes - oldest.Bytes,
            DiscardUntilKeyframe = DiscardUntilKeyframe || wasBuilding,
            ForceKeyframeNext = ForceKeyframeNext || wasBuilding,
        }, oldest.Frames.Count, oldest.Bytes);
    }

    /// <summary>Every frame held, oldest first.</summary>
    public ImmutableList<BufferedFrame> AllFrames()
    {
        var builder = ImmutableList.CreateBuilder<BufferedFrame>();
        foreach (var gop in Gops) builder.AddRange(gop.Frames);
        return builder.ToImmutable();
    }

    /// <summary>Inserts a raw frame into the reorder window, keeping capture order (a tie keeps arrival order).</summary>
    public CycleFrames AddPending(PendingFrame frame)
    {
        var index = Pending.Count;
        while (index > 0 && Pending[index - 1].CaptureTime > frame.CaptureTime) index--;
        return this with { Pending = Pending.Insert(index, frame) };
    }
}
