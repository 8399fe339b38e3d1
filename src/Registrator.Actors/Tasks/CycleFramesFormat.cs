using System.Collections.Immutable;
using Registrator.Contracts;
using Registrator.Media;

namespace Registrator.Actors.Tasks;

/// <summary>
/// A cycle's frames (<see cref="CycleFrames"/>) on the wire, the same in the task's own frames and in each registration's:
/// width, height (int32), GOPs (int32 count, each: frames (int32 count, each: packet bytes (int32 length + bytes), pts
/// (int64), keyframe (byte), frame id (nullable string)), bytes (int64)), count (int32), bytes (int64), pending (int32
/// count, each: pixels (int32 length + bytes), frame id (nullable string), capture time (double), arrived at (UTC ticks,
/// int64), timed (byte), format (byte)), in flight (int32), discard until keyframe (byte), force keyframe next (byte).
/// </summary>
internal static class CycleFramesFormat
{
    /// <summary>Smallest string on the wire: presence byte and length.</summary>
    public const int StringMin = 5;

    /// <summary>Smallest <see cref="CycleFrames"/> on the wire: no GOPs and no pending frames.</summary>
    public const int FramesMin = 4 + 4 + 4 + 4 + 8 + 4 + 4 + 1 + 1;

    public static void Write(ref TaskWireWriter w, CycleFrames f)
    {
        w.Write(f.Width); w.Write(f.Height);
        w.Write(f.Gops.Count);
        foreach (var gop in f.Gops)
        {
            w.Write(gop.Frames.Count);
            foreach (var frame in gop.Frames)
            {
                w.Write(frame.Packet.Data); w.Write(frame.Packet.Pts); w.Write(frame.Packet.IsKeyframe);
                w.Write(frame.FrameId);
            }
            w.Write(gop.Bytes);
        }
        w.Write(f.Count);
        w.Write(f.Bytes);
        w.Write(f.Pending.Count);
        foreach (var pending in f.Pending)
        {
            w.Write(pending.Pixels); w.Write(pending.FrameId); w.Write(pending.CaptureTime); w.Write(pending.ArrivedAt); w.Write(pending.Timed); w.Write((byte)pending.Format);
        }
        w.Write(f.InFlight);
        w.Write(f.DiscardUntilKeyframe);
        w.Write(f.ForceKeyframeNext);
    }

    public static CycleFrames Read(ref TaskWireReader r)
    {
        var width = r.ReadInt();
        var height = r.ReadInt();
        var gopCount = r.ReadCount(4 + 8, "GOP");
        var gops = ImmutableList.CreateBuilder<Gop>();
        for (var i = 0; i < gopCount; i++)
        {
            var frameCount = r.ReadCount(4 + 8 + 1 + StringMin, "GOP frame");
            var gopFrames = ImmutableList.CreateBuilder<BufferedFrame>();
            for (var j = 0; j < frameCount; j++)
            {
                var packet = new EncodedPacket(r.ReadBytes(), r.ReadLong(), r.ReadBool());
                gopFrames.Add(new BufferedFrame(packet, r.ReadNullableString()));
            }
            gops.Add(new Gop(gopFrames.ToImmutable(), r.ReadLong()));
        }
        var count = r.ReadInt();
        var bytes = r.ReadLong();
        var pendingCount = r.ReadCount(4 + StringMin + 8 + 8, "pending frame");
        var pending = ImmutableList.CreateBuilder<PendingFrame>();
        for (var i = 0; i < pendingCount; i++)
            pending.Add(new PendingFrame(r.ReadBytes(), r.ReadNullableString(), r.ReadDouble(), r.ReadDateTimeOffset(), r.ReadBool(), r.ReadEnum<FrameFormat>("frame format")));
        return new CycleFrames
        {
            Width = width,
            Height = height,
            Gops = gops.ToImmutable(),
            Count = count,
            Bytes = bytes,
            Pending = pending.ToImmutable(),
            InFlight = r.ReadInt(),
            DiscardUntilKeyframe = r.ReadBool(),
            ForceKeyframeNext = r.ReadBool(),
        };
    }
}
