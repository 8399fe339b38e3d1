using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Registrator.Contracts;
using Registrator.Media;

namespace Registrator.Actors.Tasks;

/// <summary>
/// Binary serializer for a task's whole state (<see cref="TaskData"/>) and the node-internal messages of the task
/// (<see cref="StatusBatch"/>, <see cref="StatusBatchAnswer"/>), so a shard that moves (rebalance, rolling
/// restart) hands the value to the task's next incarnation on another node. Little-endian fields, UTF-8 strings with a
/// presence byte, H.264 packets and raw pending pixels as raw length-prefixed bytes (never JSON or base64), the output
/// sized exactly up front so each packet is copied once. The manifest carries a version (<c>TaskData/1</c>), so a later
/// format is added beside this one. Bound to <see cref="TaskData"/> in hocon/registrator.conf.
/// </summary>
/// <remarks>
/// <c>TaskData/1</c>, in order:
/// <list type="bullet">
/// <item>key (string), lifecycle column (byte), cycle (int32), statuses (int32 count, then one byte 0/1 each);</item>
/// <item>trigger: window (int32), ratio (double), seen (int32), detections (int32);</item>
/// <item>latest message JSON (nullable string), latest message time (nullable double);</item>
/// <item>the cycle's frames (see below);</item>
/// <item>clock: epoch (nullable double), last tick (int64), last kept time (double), newest (double) — the
/// <c>MinValue</c> sentinels travel as they are;</item>
/// <item>registrations (int32 count), each: event id (16 bytes), reply-to (actor path string; "" for
/// <see cref="ActorRefs.Nobody"/>), message JSON (string), cycle (int32), frames (see below), keyframe id (nullable
/// string), status count (int32), most common status (byte 0 = null, 1 = false, 2 = true), stage (byte), frame count
/// (int32);</item>
/// <item>last triggered (presence byte, then UTC ticks as int64), stop requested (byte);</item>
/// <item>counters: frames dropped, GOPs dropped, frames skipped, frames late, statuses dropped, rejected, frames
/// budget-dropped (int64 each).</item>
/// </list>
/// Frames: width, height (int32), GOPs (int32 count, each: frames (int32 count, each: packet bytes (int32 length +
/// bytes), pts (int64), keyframe (byte), frame id (nullable string)), bytes (int64)), count (int32), bytes (int64),
/// pending (int32 count, each: pixels (int32 length + bytes), frame id (nullable string), capture time (double), arrived
/// at (UTC ticks, int64)), in flight (int32), discard until keyframe (byte), force keyframe next (byte).
/// A string is a presence byte, an int32 length and UTF-8; a required string is written present.
/// <para>
/// <c>TaskData/2</c> (written now) is <c>TaskData/1</c> followed by the <c>span</c> policy's state: the open incident
/// (presence byte, then an incident), the window's statuses and detections (int32 each), its first and last detection,
/// the newest capture time (nullable doubles), when it
/// was seen (UTC ticks); then, for each registration in the order above, its incident (presence byte, then an
/// incident). An incident: event id (16 bytes), start, last detection (double), keyframe stage (byte), keyframe pts
/// (presence byte, then int64), image path (nullable string), announced (byte), end (nullable double), part (int32).
/// Hand-off through Redis keeps no manifest: a task reads what it finds as <c>TaskData/2</c>, else as <c>TaskData/1</c>
/// (saved by an older node; no incident).
/// </para>
/// </remarks>
public sealed class TaskDataSerializer(ExtendedActorSystem actorSystem) : SerializerWithStringManifest(actorSystem)
{
    /// <summary>The serializer id; unique among the system's serializers (RegistratorSerializer is 4711).</summary>
    public const int Id = 4712;

    /// <summary>The first format, still read.</summary>
    public const string ManifestV1 = "TaskData/1";

    /// <summary>The manifest of the format written now: <see cref="ManifestV1"/> plus the span policy's state.</summary>
    public const string ManifestV2 = "TaskData/2";

    /// <summary>The bridge's <see cref="StatusBatch"/>: key, count, then each flag (byte), message (string), time (nullable double).</summary>
    public const string StatusBatchManifest = "StatusBatch/1";

    /// <summary>The task's <see cref="StatusBatchAnswer"/>: key, state (byte), accepted, rejected (int32), reason (nullable string).</summary>
    public const string StatusBatchAnswerManifest = "StatusBatchAnswer/1";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        TaskData => ManifestV2,
        StatusBatch => StatusBatchManifest,
        StatusBatchAnswer => StatusBatchAnswerManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a TaskData, StatusBatch or StatusBatchAnswer", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        if (obj is StatusBatch or StatusBatchAnswer) return Sized(obj, WriteMessage);
        if (obj is not TaskData data) throw new ArgumentException($"{obj.GetType()} is not a TaskData", nameof(obj));
        // Two passes over the same code: the first measures, the second writes into a buffer of exactly that size.
        var measure = new Writer(null);
        Write(ref measure, data);
        if (measure.Position > Array.MaxLength)
            throw new SerializationException($"task {data.Key} state is {measure.Position} bytes, more than one array holds");
        var writer = new Writer(new byte[measure.Position]);
        Write(ref writer, data);
        return writer.ToArray();
    }

    private delegate void WriteAction(ref Writer writer, object value);

    private static byte[] Sized(object value, WriteAction write)
    {
        var measure = new Writer(null);
        write(ref measure, value);
        var writer = new Writer(new byte[measure.Position]);
        write(ref writer, value);
        return writer.ToArray();
    }

    private static void WriteMessage(ref Writer w, object value)
    {
        switch (value)
        {
            case StatusBatch batch:
                w.Write(batch.TaskKey);
                w.Write(batch.Statuses.Length);
                foreach (var status in batch.Statuses)
                {
                    w.Write(status.Flag); w.Write(status.MessageJson); w.Write(status.MessageTime);
                }
                break;
            case StatusBatchAnswer answer:
                w.Write(answer.TaskKey); w.Write((byte)answer.State); w.Write(answer.Accepted); w.Write(answer.Rejected); w.Write(answer.RejectReason);
                break;
        }
    }

    private static object ReadMessage(ref Reader r, string manifest)
    {
        if (manifest == StatusBatchManifest)
        {
            var key = r.ReadString();
            var count = r.ReadCount(7, "statuses");
            var statuses = ImmutableArray.CreateBuilder<BatchedStatus>(count);
            for (var i = 0; i < count; i++) statuses.Add(new BatchedStatus(r.ReadBool(), r.ReadString(), r.ReadNullableDouble()));
            return new StatusBatch(key, statuses.MoveToImmutable());
        }
        return new StatusBatchAnswer(r.ReadString(), (TaskState)r.ReadByte(), r.ReadInt(), r.ReadInt(), r.ReadNullableString());
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest is StatusBatchManifest or StatusBatchAnswerManifest)
        {
            try
            {
                var r = new Reader(bytes);
                var message = ReadMessage(ref r, manifest);
                r.End();
                return message;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or DecoderFallbackException or OverflowException
                                          or InvalidOperationException)
            {
                throw new SerializationException($"invalid {manifest}: {e.Message}", e);
            }
        }
        if (manifest is not (ManifestV1 or ManifestV2))
            throw new SerializationException($"unknown TaskData manifest '{manifest}' (a newer node's format?)");
        try
        {
            var r = new Reader(bytes);
            var data = ReadV1(ref r);
            if (manifest == ManifestV2) data = ReadSpan(ref r, data);
            r.End();
            return data;
        }
        catch (SerializationException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or DecoderFallbackException or OverflowException
                                      or InvalidOperationException)
        {
            throw new SerializationException($"invalid {manifest}: {e.Message}", e);
        }
    }

    private static void Write(ref Writer w, TaskData s)
    {
        w.Write(s.Key);
        w.Write((byte)s.Column);
        w.Write(s.Cycle);
        w.Write(s.Statuses.Count);
        foreach (var status in s.Statuses) w.Write(status);
        w.Write(s.Trigger.Window); w.Write(s.Trigger.Ratio); w.Write(s.Trigger.Seen); w.Write(s.Trigger.Detections);
        w.Write(s.LatestMessageJson);
        w.Write(s.LatestMessageTime);
        Write(ref w, s.Frames);
        w.Write(s.Clock.Epoch); w.Write(s.Clock.LastTick); w.Write(s.Clock.LastKeptTime); w.Write(s.Clock.Newest);
        w.Write(s.Registrations.Count);
        foreach (var reg in s.Registrations)
        {
            w.Write(reg.EventId);
            w.Write(ActorPathOf(reg.ReplyTo));
            w.Write(reg.MessageJson);
            w.Write(reg.Cycle);
            Write(ref w, reg.Frames);
            w.Write(reg.KeyframeId);
            w.Write(reg.StatusCount);
            w.Write((byte)(reg.MostCommonStatus switch { null => 0, false => 1, true => 2 }));
            w.Write((byte)reg.Stage);
            w.Write(reg.FrameCount);
        }
        w.Write(s.LastTriggered);
        w.Write(s.StopRequested);
        var c = s.Counters;
        w.Write(c.FramesDropped); w.Write(c.GopsDropped); w.Write(c.FramesSkipped); w.Write(c.FramesLate);
        w.Write(c.StatusesDropped); w.Write(c.Rejected); w.Write(c.FramesBudgetDropped);
        // TaskData/2 from here on.
        Write(ref w, s.Span.Open);
        w.Write(s.Span.WindowSeen); w.Write(s.Span.WindowDetections);
        w.Write(s.Span.WindowFirstDetection); w.Write(s.Span.WindowLastDetection); w.Write(s.Span.Newest); w.Write(s.Span.NewestSeenAt);
        foreach (var reg in s.Registrations) Write(ref w, reg.Incident);
    }

    private static void Write(ref Writer w, Incident? incident)
    {
        w.Write(incident is not null);
        if (incident is null) return;
        w.Write(incident.EventId); w.Write(incident.Start); w.Write(incident.LastDetection); w.Write((byte)incident.Keyframe);
        w.Write(incident.KeyframePts is not null);
        if (incident.KeyframePts is { } pts) w.Write(pts);
        w.Write(incident.ImagePath); w.Write(incident.Announced); w.Write(incident.End); w.Write(incident.Part);
    }

    private static TaskData ReadSpan(ref Reader r, TaskData data)
    {
        var open = ReadIncident(ref r);
        var span = new SpanState
        {
            Open = open,
            WindowSeen = r.ReadInt(),
            WindowDetections = r.ReadInt(),
            WindowFirstDetection = r.ReadNullableDouble(),
            WindowLastDetection = r.ReadNullableDouble(),
            Newest = r.ReadNullableDouble(),
            NewestSeenAt = r.ReadDateTimeOffset(),
        };
        var registrations = data.Registrations;
        for (var i = 0; i < registrations.Count; i++) registrations = registrations.SetItem(i, registrations[i] with { Incident = ReadIncident(ref r) });
        return data with { Span = span, Registrations = registrations };
    }

    private static Incident? ReadIncident(ref Reader r)
    {
        if (!r.ReadBool()) return null;
        var incident = new Incident(r.ReadGuid(), r.ReadDouble(), r.ReadDouble())
        {
            Keyframe = ReadEnum<KeyframeStage>(r.ReadByte(), "keyframe stage"),
        };
        return incident with
        {
            KeyframePts = r.ReadBool() ? r.ReadLong() : null,
            ImagePath = r.ReadNullableString(),
            Announced = r.ReadBool(),
            End = r.ReadNullableDouble(),
            Part = r.ReadInt(),
        };
    }

    private static void Write(ref Writer w, CycleFrames f)
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

    private TaskData ReadV1(ref Reader r)
    {
        var key = r.ReadString();
        var column = ReadEnum<LifecycleColumn>(r.ReadByte(), "lifecycle column");
        var cycle = r.ReadInt();
        var statusCount = r.ReadCount(1, "status");
        var statuses = StatusHistory.Empty;
        for (var i = 0; i < statusCount; i++) statuses = statuses.Add(r.ReadBool(), int.MaxValue).History;
        var trigger = new WindowTrigger(r.ReadInt(), r.ReadDouble(), r.ReadInt(), r.ReadInt());
        var latestMessageJson = r.ReadNullableString();
        var latestMessageTime = r.ReadNullableDouble();
        var frames = ReadFrames(ref r);
        var clock = new CaptureClock(r.ReadNullableDouble(), r.ReadLong(), r.ReadDouble(), r.ReadDouble());
        // The smallest registration: every fixed field, empty strings and empty frames.
        var registrationCount = r.ReadCount(16 + StringMin * 2 + 4 + FramesMin + 1 + 4 + 1 + 1 + 4, "registration");
        var registrations = ImmutableList.CreateBuilder<TaskRegistration>();
        for (var i = 0; i < registrationCount; i++)
        {
            var eventId = r.ReadGuid();
            var replyTo = ResolveActorRef(r.ReadString());
            var messageJson = r.ReadString();
            var regCycle = r.ReadInt();
            var regFrames = ReadFrames(ref r);
            var keyframeId = r.ReadNullableString();
            var regStatusCount = r.ReadInt();
            bool? mostCommon = r.ReadByte() switch
            {
                0 => null,
                1 => false,
                2 => true,
                var b => throw new SerializationException($"invalid most-common status {b}"),
            };
            var stage = ReadEnum<RegistrationStage>(r.ReadByte(), "registration stage");
            var frameCount = r.ReadInt();
            registrations.Add(new TaskRegistration(eventId, replyTo, messageJson, regCycle, regFrames, keyframeId, regStatusCount,
                mostCommon, stage, frameCount));
        }
        var lastTriggered = r.ReadNullableDateTimeOffset();
        var stopRequested = r.ReadBool();
        var counters = new TaskCounters(r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong());
        return new TaskData
        {
            Key = key,
            Column = column,
            Cycle = cycle,
            Statuses = statuses,
            Trigger = trigger,
            LatestMessageJson = latestMessageJson,
            LatestMessageTime = latestMessageTime,
            Frames = frames,
            Clock = clock,
            Registrations = registrations.ToImmutable(),
            LastTriggered = lastTriggered,
            StopRequested = stopRequested,
            Counters = counters,
        };
    }

    /// <summary>Smallest string on the wire: presence byte and length.</summary>
    private const int StringMin = 5;

    /// <summary>Smallest <see cref="CycleFrames"/> on the wire: no GOPs and no pending frames.</summary>
    private const int FramesMin = 4 + 4 + 4 + 4 + 8 + 4 + 4 + 1 + 1;

    private static CycleFrames ReadFrames(ref Reader r)
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
            pending.Add(new PendingFrame(r.ReadBytes(), r.ReadNullableString(), r.ReadDouble(), r.ReadDateTimeOffset(), r.ReadBool(), ReadEnum<FrameFormat>(r.ReadByte(), "frame format")));
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

    private static T ReadEnum<T>(byte value, string what) where T : struct, Enum
    {
        var result = (T)Enum.ToObject(typeof(T), value);
        return Enum.IsDefined(result) ? result : throw new SerializationException($"invalid {what} {value}");
    }

    /// <summary><see cref="ActorRefs.Nobody"/> (the trigger's registrations) and no sender travel as "".</summary>
    private static string ActorPathOf(IActorRef? actorRef) =>
        actorRef is null || actorRef.Equals(ActorRefs.Nobody) ? "" : Serialization.SerializedActorPath(actorRef);

    private IActorRef ResolveActorRef(string path) =>
        path.Length == 0 ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);

    /// <summary>
    /// Little-endian writer. Without a buffer it only counts the bytes it would write, so the same code sizes the
    /// output exactly and then fills it.
    /// </summary>
    private ref struct Writer(byte[]? buffer)
    {
        private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private readonly byte[]? _buffer = buffer;
        private long _position;

        public readonly long Position => _position;

        public void Write(bool value) => Write(value ? (byte)1 : (byte)0);

        public void Write(byte value)
        {
            if (_buffer is not null) _buffer[_position] = value;
            _position += 1;
        }

        public void Write(int value)
        {
            if (_buffer is not null) BinaryPrimitives.WriteInt32LittleEndian(Span(4), value);
            _position += 4;
        }

        public void Write(long value)
        {
            if (_buffer is not null) BinaryPrimitives.WriteInt64LittleEndian(Span(8), value);
            _position += 8;
        }

        public void Write(double value)
        {
            if (_buffer is not null) BinaryPrimitives.WriteDoubleLittleEndian(Span(8), value);
            _position += 8;
        }

        public void Write(Guid value)
        {
            if (_buffer is not null && !value.TryWriteBytes(Span(16))) throw new InvalidOperationException("guid did not fit");
            _position += 16;
        }

        /// <summary>A presence byte, then the double only when present.</summary>
        public void Write(double? value)
        {
            Write(value is not null);
            if (value is { } present) Write(present);
        }

        /// <summary>UTC ticks: the instant is kept, the offset is not (it reads back as UTC).</summary>
        public void Write(DateTimeOffset value) => Write(value.UtcTicks);

        /// <summary>A presence byte, then the UTC ticks only when present.</summary>
        public void Write(DateTimeOffset? value)
        {
            Write(value is not null);
            if (value is { } present) Write(present);
        }

        /// <summary>A presence byte, then length-prefixed UTF-8: null and "" stay distinct.</summary>
        public void Write(string? value)
        {
            Write(value is not null);
            if (value is null)
            {
                Write(0);
                return;
            }
            var count = Utf8.GetByteCount(value);
            Write(count);
            if (_buffer is not null) Utf8.GetBytes(value, Span(count));
            _position += count;
        }

        /// <summary>Length-prefixed raw bytes.</summary>
        public void Write(byte[] value)
        {
            Write(value.Length);
            if (_buffer is not null) value.CopyTo(Span(value.Length));
            _position += value.Length;
        }

        public readonly byte[] ToArray() => _buffer is not null && _position == _buffer.Length
            ? _buffer
            : throw new InvalidOperationException($"TaskData size measured {_buffer?.Length} != written {_position}");

        private readonly Span<byte> Span(int count) => _buffer.AsSpan((int)_position, count);
    }

    /// <summary>Reads what <see cref="Writer"/> wrote; truncated or inconsistent input throws <see cref="SerializationException"/>.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        private readonly int Left => _data.Length - _position;

        public bool ReadBool() => ReadByte() switch
        {
            0 => false,
            1 => true,
            var b => throw new SerializationException($"invalid boolean byte {b} at offset {_position - 1}"),
        };

        public byte ReadByte() => Take(1)[0];
        public int ReadInt() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        public long ReadLong() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
        public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
        public Guid ReadGuid() => new(Take(16));

        public double? ReadNullableDouble() => ReadBool() ? ReadDouble() : null;

        public DateTimeOffset ReadDateTimeOffset()
        {
            var ticks = ReadLong();
            if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
                throw new SerializationException($"UTC ticks {ticks} out of range");
            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        public DateTimeOffset? ReadNullableDateTimeOffset() => ReadBool() ? ReadDateTimeOffset() : null;

        /// <summary>
        /// A count of items that take at least <paramref name="minBytesEach"/> bytes each: negative counts, and counts
        /// the rest of the input cannot hold, throw before anything is allocated for them.
        /// </summary>
        public int ReadCount(int minBytesEach, string what)
        {
            var count = ReadInt();
            if (count < 0) throw new SerializationException($"negative {what} count {count}");
            if ((long)count * minBytesEach > Left)
                throw new SerializationException($"{what} count {count} does not fit the {Left} bytes left");
            return count;
        }

        public string? ReadNullableString()
        {
            var present = ReadBool();
            var length = Length();
            if (!present)
                return length == 0 ? null : throw new SerializationException($"absent string with length {length}");
            return Utf8.GetString(Take(length));
        }

        public string ReadString() => ReadNullableString() ?? throw new SerializationException("a required string is missing");

        public byte[] ReadBytes() => Take(Length()).ToArray();

        public readonly void End()
        {
            if (Left != 0) throw new SerializationException($"{Left} trailing bytes");
        }

        private int Length()
        {
            var length = ReadInt();
            return length >= 0 ? length : throw new SerializationException($"negative length {length}");
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > Left)
                throw new SerializationException($"TaskData truncated: needed {count} bytes at offset {_position} of {_data.Length}");
            var span = _data.Slice(_position, count);
            _position += count;
            return span;
        }
    }
}
