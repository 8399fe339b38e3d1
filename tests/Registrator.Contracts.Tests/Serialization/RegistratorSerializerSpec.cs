using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Configuration;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Registrator.Contracts.Serialization;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskEvents;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Contracts.Tests.Serialization;

/// <summary>
/// Every protocol message through the serializer <see cref="RegistratorSerializer.Hocon"/> binds (which nodes and clients
/// both load), as remoting would use it. That the node's own configuration binds it is TaskDataSerializerSpec's concern.
/// </summary>
public sealed class RegistratorSerializerSpec() : TestKit(ConfigurationFactory.ParseString(RegistratorSerializer.Hocon + "\nakka.actor.provider = local"))
{
    private const string Key = "cameras/вход №1 🎥";

    public static IEnumerable<object[]> Messages()
    {
        object[] messages =
        [
            new CreateTask(Key), new ClearStatuses(Key), new StopTask(Key), new DeleteTask(Key),
            new GetTask(Key), new GetMostCommon(Key),
            new AddStatus(Key, true), new AddStatus(Key, false, """{"model":"yolo","result":{"scores":[0.9]}}"""),
            new RegisterTask(Key, """{"event_type":"motion"}"""),
            new Accepted(Key, TaskState.Pending), new Rejected(Key, TaskState.Done, "task is DONE"),
            new MostCommon(Key, null), new MostCommon(Key, true), new MostCommon(Key, false),
            new TaskSnapshot(Key, TaskState.Finished, [true, false, true], 3, 640, 480, 2_764_800, 7, 1, 2, 4, true, """{"a":1}"""),
            new TaskSnapshot(Key, TaskState.None, [], 0, 0, 0, 0, 0, 0, 0, 0, false, null),
            new TaskSnapshot(Key, TaskState.Done, [true], 12, 640, 480, 81_920, 30, 0, 1, 5, true, null,
                FramesPending: 3, GopsDropped: 2, FramesSkipped: 17, FramesLate: long.MaxValue,
                Registrations: [new RegistrationInFlight(Guid.NewGuid(), 4, 120, "writing"), new RegistrationInFlight(Guid.NewGuid(), 5, 0, "encoding")]),
            new TaskSnapshot(Key, TaskState.Pending, [false], 1, 2, 2, 12, 0, 0, 0, 1, false, null, Registrations: []),
            new EventRegistered(Key, Guid.NewGuid(), "/tmp/a/a.mp4", "/tmp/a/a.jpg", 1764000000.123, null),
            new EventRegistered(Key, Guid.NewGuid(), null, null, 1764000000.5, "no frames to encode"),
            new RegistrationFailed(Key, "event store did not accept the event in time"),
            new AddFrame(Key, 4, 2, Enumerable.Range(0, 24).Select(i => (byte)i).ToArray(), "frame_001"),
            new AddFrame("", 1, 1, [1, 2, 3]),
            new AddFrame(Key, 1, 1, [1, 2, 3], "f", 1796000000.1),
            new AddFrame(Key, 1, 1, [1, 2, 3], null, 0.0),
            new AddFrame(Key, 1, 1, [1, 2, 3], CaptureTime: double.NaN),
        ];
        return messages.Select(m => new[] { m });
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_through_the_bound_serializer(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<RegistratorSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        var back = Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
        switch (message)
        {
            case AddFrame frame:
                var copy = Assert.IsType<AddFrame>(back);
                Assert.Equal(frame with { Pixels = copy.Pixels }, copy);
                Assert.Equal(frame.Pixels, copy.Pixels);
                break;
            case TaskSnapshot snapshot:
                var snapshotCopy = Assert.IsType<TaskSnapshot>(back);
                Assert.Equal(snapshot.Statuses.ToArray(), snapshotCopy.Statuses.ToArray());
                // A snapshot built without registrations (default) reads back with an empty list.
                Assert.False(snapshotCopy.Registrations.IsDefault);
                Assert.Equal(snapshot.Registrations.IsDefault ? [] : snapshot.Registrations.ToArray(), snapshotCopy.Registrations.ToArray());
                Assert.Equal(snapshot with { Statuses = snapshotCopy.Statuses, Registrations = snapshotCopy.Registrations }, snapshotCopy);
                break;
            default:
                Assert.Equal(message, back);
                break;
        }
    }

    [Fact]
    public void A_640x480_frame_travels_as_its_raw_bytes_plus_a_small_header()
    {
        var pixels = new byte[640 * 480 * 3];
        new Random(7).NextBytes(pixels);
        var frame = new AddFrame(Key, 640, 480, pixels, "f1");
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(frame);

        var bytes = serializer.ToBinary(frame);
        var copy = (AddFrame)serializer.FromBinary(bytes, serializer.Manifest(frame));

        Assert.InRange(bytes.Length - pixels.Length, 1, 128);
        Assert.Equal(pixels, copy.Pixels);
        Assert.Equal((640, 480, "f1", Key), (copy.Width, copy.Height, copy.FrameId, copy.TaskKey));
    }

    [Fact]
    public void Truncated_or_unknown_input_is_a_clear_serialization_error()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new CreateTask(Key));
        var bytes = serializer.ToBinary(new AddStatus(Key, true));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..^3], "AddStatus/1"));
        Assert.Contains("AddStatus/9", Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "AddStatus/9")).Message);
        Assert.Throws<SerializationException>(() => serializer.FromBinary([.. bytes, 0], "AddStatus/1"));
    }

    [Fact]
    public void Manifests_are_versioned()
    {
        var serializer = Serializer;
        Assert.Equal("AddFrame/2", serializer.Manifest(new AddFrame(Key, 1, 1, [0, 0, 0])));
        Assert.Equal("TaskSnapshot/3", serializer.Manifest(new TaskSnapshot(Key, TaskState.None, [], 0, 0, 0, 0, 0, 0, 0, 0, false, null)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1796000000.1)]
    [InlineData(-1.5)]
    public void AddFrame_2_carries_the_capture_time_as_a_presence_byte_and_a_double(double? captureTime)
    {
        var frame = new AddFrame(Key, 2, 1, [1, 2, 3, 4, 5, 6], "f-9", captureTime);

        var bytes = Serializer.ToBinary(frame);
        var copy = Assert.IsType<AddFrame>(Serializer.FromBinary(bytes, "AddFrame/2"));

        Assert.Equal(captureTime, copy.CaptureTime);
        Assert.Equal((Key, 2, 1, "f-9"), (copy.TaskKey, copy.Width, copy.Height, copy.FrameId));
        Assert.Equal(frame.Pixels, copy.Pixels);
        // The version-1 layout, then 1 byte (absent) or 1 + 8 bytes (present).
        var v1 = new Wire().String(Key).Int(2).Int(1).Bytes(frame.Pixels).String("f-9").ToArray();
        Assert.Equal(v1.Length + (captureTime is null ? 1 : 9), bytes.Length);
        Assert.Equal(v1, bytes[..v1.Length]);
        Assert.Equal(captureTime is null ? (byte)0 : (byte)1, bytes[v1.Length]);
        if (captureTime is { } time) Assert.Equal(time, BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(v1.Length + 1)));
    }

    [Fact]
    public void AddFrame_1_from_an_older_node_reads_without_a_capture_time()
    {
        var pixels = Enumerable.Range(0, 12).Select(i => (byte)(i * 7)).ToArray();
        var v1 = new Wire().String(Key).Int(2).Int(2).Bytes(pixels).String("frame_001").ToArray();

        var frame = Assert.IsType<AddFrame>(Serializer.FromBinary(v1, "AddFrame/1"));

        Assert.Equal((Key, 2, 2, "frame_001", (double?)null), (frame.TaskKey, frame.Width, frame.Height, frame.FrameId, frame.CaptureTime));
        Assert.Equal(pixels, frame.Pixels);
        var withoutId = Assert.IsType<AddFrame>(Serializer.FromBinary(new Wire().String("k").Int(1).Int(1).Bytes([1, 2, 3]).String(null).ToArray(), "AddFrame/1"));
        Assert.Null(withoutId.FrameId);
        Assert.Null(withoutId.CaptureTime);
        // A version-2 payload is not a version-1 one: the extra bytes are an error, not silently dropped.
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(Serializer.ToBinary(frame with { CaptureTime = 1.0 }), "AddFrame/1"));
    }

    [Fact]
    public void AddFrame_2_with_a_bad_presence_byte_or_a_truncated_time_is_a_serialization_error()
    {
        var v1 = new Wire().String(Key).Int(1).Int(1).Bytes([1, 2, 3]).String(null).ToArray();
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(v1, "AddFrame/2"));
        Assert.Throws<SerializationException>(() => Serializer.FromBinary([.. v1, 2], "AddFrame/2"));
        Assert.Throws<SerializationException>(() => Serializer.FromBinary([.. v1, 1, 0, 0, 0], "AddFrame/2"));
        Assert.Throws<SerializationException>(() => Serializer.FromBinary([.. v1, 0, 0], "AddFrame/2"));
    }

    [Fact]
    public void TaskSnapshot_2_carries_the_counters_and_the_registrations_in_flight()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var snapshot = new TaskSnapshot(Key, TaskState.Done, [true, false], 40, 320, 240, 1_000, 60, 3, 2, 7, true, """{"frame_id":"f"}""",
            FramesPending: 5, GopsDropped: 2, FramesSkipped: 11, FramesLate: 4,
            Registrations: [new RegistrationInFlight(first, 6, 150, "recording"), new RegistrationInFlight(second, 7, 40, "этап 🎥")]);

        // TaskSnapshot/3 without settings or incident ends in two absent strings (5 bytes each): the rest is TaskSnapshot/2.
        var bytes = Serializer.ToBinary(snapshot)[..^10];
        var copy = Assert.IsType<TaskSnapshot>(Serializer.FromBinary(bytes, "TaskSnapshot/2"));

        Assert.Equal((5, 2L, 11L, 4L), (copy.FramesPending, copy.GopsDropped, copy.FramesSkipped, copy.FramesLate));
        Assert.Equal(new[] { new RegistrationInFlight(first, 6, 150, "recording"), new RegistrationInFlight(second, 7, 40, "этап 🎥") }, copy.Registrations.ToArray());
        Assert.Equal((Key, TaskState.Done, 40, 7, true, """{"frame_id":"f"}"""),
            (copy.TaskKey, copy.State, copy.FrameCount, copy.Cycle, copy.Registering, copy.LatestMessageJson));
        // The version-1 layout comes first, unchanged.
        var v1 = SnapshotV1(Key, (byte)TaskState.Done, [true, false], 40, 320, 240, 1_000, 60, 3, 2, 7, true, """{"frame_id":"f"}""");
        Assert.Equal(v1, bytes[..v1.Length]);
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes[..^1], "TaskSnapshot/2"));
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "TaskSnapshot/1"));
    }

    [Fact]
    public void TaskSnapshot_3_adds_the_settings_in_force_and_the_open_incident()
    {
        var snapshot = new TaskSnapshot(Key, TaskState.Pending, [true], 1, 2, 2, 10, 0, 0, 0, 1, false, null,
            SettingsJson: """{"policy":"span","pre_roll":10}""", IncidentJson: """{"event_id":"e","start":1.5}""");

        var bytes = Serializer.ToBinary(snapshot);
        var copy = Assert.IsType<TaskSnapshot>(Serializer.FromBinary(bytes, "TaskSnapshot/3"));

        Assert.Equal(("""{"policy":"span","pre_roll":10}""", """{"event_id":"e","start":1.5}"""), (copy.SettingsJson, copy.IncidentJson));
        var v2 = Assert.IsType<TaskSnapshot>(Serializer.FromBinary(Serializer.ToBinary(snapshot with { SettingsJson = null, IncidentJson = null })[..^10], "TaskSnapshot/2"));
        Assert.Null(v2.SettingsJson);
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes[..^1], "TaskSnapshot/3"));
    }

    [Fact]
    public void TaskSnapshot_1_from_an_older_node_reads_with_zero_counters_and_no_registrations()
    {
        var v1 = SnapshotV1(Key, (byte)TaskState.Pending, [true, true, false], 9, 64, 48, 4_096, 1, 2, 3, 4, false, null);

        var snapshot = Assert.IsType<TaskSnapshot>(Serializer.FromBinary(v1, "TaskSnapshot/1"));

        Assert.Equal((Key, TaskState.Pending, 9, 64, 48, 4_096L, 1L, 2L, 3L, 4, false, (string?)null),
            (snapshot.TaskKey, snapshot.State, snapshot.FrameCount, snapshot.FrameWidth, snapshot.FrameHeight, snapshot.BufferedBytes,
                snapshot.FramesDropped, snapshot.StatusesDropped, snapshot.RejectedCommands, snapshot.Cycle, snapshot.Registering, snapshot.LatestMessageJson));
        Assert.Equal(new[] { true, true, false }, snapshot.Statuses.ToArray());
        Assert.Equal((0, 0L, 0L, 0L), (snapshot.FramesPending, snapshot.GopsDropped, snapshot.FramesSkipped, snapshot.FramesLate));
        Assert.False(snapshot.Registrations.IsDefault);
        Assert.Empty(snapshot.Registrations);
    }

    [Fact]
    public void A_snapshot_count_larger_than_the_message_is_an_error_not_an_allocation()
    {
        var v1 = SnapshotV1(Key, (byte)TaskState.Pending, [], 0, 0, 0, 0, 0, 0, 0, 0, false, null);
        var v2 = new Wire().Raw(v1).Int(0).Long(0).Long(0).Long(0);

        Assert.Throws<SerializationException>(() => Serializer.FromBinary(v2.Int(int.MaxValue).ToArray(), "TaskSnapshot/2"));
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(new Wire().Raw(v1).Int(0).Long(0).Long(0).Long(0).Int(-1).ToArray(), "TaskSnapshot/2"));
        var hugeStatuses = new Wire().String(Key).Byte((byte)TaskState.Pending).Int(int.MaxValue).ToArray();
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(hugeStatuses, "TaskSnapshot/1"));
    }

    private SerializerWithStringManifest Serializer => (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new CreateTask(Key));

    private static byte[] SnapshotV1(string key, byte state, bool[] statuses, int frameCount, int width, int height, long bufferedBytes,
        long framesDropped, long statusesDropped, long rejected, int cycle, bool registering, string? latestMessage)
    {
        var wire = new Wire().String(key).Byte(state).Int(statuses.Length);
        foreach (var status in statuses) wire.Byte(status ? (byte)1 : (byte)0);
        return wire.Int(frameCount).Int(width).Int(height).Long(bufferedBytes).Long(framesDropped).Long(statusesDropped).Long(rejected)
            .Int(cycle).Byte(registering ? (byte)1 : (byte)0).String(latestMessage).ToArray();
    }

    /// <summary>The wire format written by hand (little-endian; strings as a presence byte, a length and UTF-8), as an older node wrote it.</summary>
    private sealed class Wire
    {
        private readonly List<byte> _bytes = [];

        public Wire Byte(byte value)
        {
            _bytes.Add(value);
            return this;
        }

        public Wire Int(int value)
        {
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
            return Raw(buffer);
        }

        public Wire Long(long value)
        {
            Span<byte> buffer = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
            return Raw(buffer);
        }

        public Wire Bytes(byte[] value) => Int(value.Length).Raw(value);

        public Wire String(string? value)
        {
            var utf8 = value is null ? [] : System.Text.Encoding.UTF8.GetBytes(value);
            return Byte(value is null ? (byte)0 : (byte)1).Bytes(utf8);
        }

        public Wire Raw(ReadOnlySpan<byte> bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }

        public byte[] ToArray() => [.. _bytes];
    }

    [Fact]
    public void A_JPEG_frame_round_trips_as_AddFrame_3_and_a_raw_one_stays_AddFrame_2()
    {
        var jpeg = new AddFrame(Key, 640, 480, [0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9], "f1", 1796000000.1, FrameFormat.Jpeg);

        Assert.Equal("AddFrame/3", Serializer.Manifest(jpeg));
        Assert.Equal("AddFrame/2", Serializer.Manifest(jpeg with { Format = FrameFormat.Bgr24 }));
        var copy = Assert.IsType<AddFrame>(Serializer.FromBinary(Serializer.ToBinary(jpeg), "AddFrame/3"));
        Assert.Equal((jpeg.TaskKey, jpeg.Width, jpeg.Height, jpeg.FrameId, jpeg.CaptureTime, jpeg.Format),
            (copy.TaskKey, copy.Width, copy.Height, copy.FrameId, copy.CaptureTime, copy.Format));
        Assert.Equal(jpeg.Pixels, copy.Pixels);
        var badFormat = Serializer.ToBinary(jpeg);
        badFormat[^1] = 7;
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(badFormat, "AddFrame/3"));
    }
}
