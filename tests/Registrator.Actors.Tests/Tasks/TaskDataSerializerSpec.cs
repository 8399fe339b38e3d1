using System.Buffers.Binary;
using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Configuration;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Contracts.Serialization;
using Registrator.Media;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// A task's whole state through the serializer the configuration binds, as a shard handing a task to another node
/// would use it.
/// </summary>
public sealed class TaskDataSerializerSpec() : TestKit(RegistratorConfig.Load("akka.actor.provider = local", new Hashtable()))
{
    private const string Key = "cameras/вход №1 🎥";
    private const int Width = 4;
    private const int Height = 2;

    [Fact]
    public void A_task_in_the_middle_of_a_cycle_round_trips_to_an_equal_value()
    {
        var data = MidCycle(TestActor);
        var serializer = Sys.Serialization.FindSerializerFor(data);
        var manifest = Serialization.ManifestFor(serializer, data);

        var bytes = serializer.ToBinary(data);
        var copy = Assert.IsType<TaskData>(Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest));

        TaskDataAssert.Equivalent(data, copy);
        // The packets' bytes are the very bytes, GOP by GOP, in the cycle and in every registration.
        Assert.Equal(data.Frames.AllFrames().Select(f => f.Packet.Data), copy.Frames.AllFrames().Select(f => f.Packet.Data));
        Assert.Equal(data.Registrations.SelectMany(r => r.Frames.AllFrames()).Select(f => f.Packet.Data),
            copy.Registrations.SelectMany(r => r.Frames.AllFrames()).Select(f => f.Packet.Data));
        Assert.Equal(data.Frames.Pending.Select(p => p.Pixels), copy.Frames.Pending.Select(p => p.Pixels));
        // Derived values follow.
        Assert.Equal((data.State, data.HeldBytes), (copy.State, copy.HeldBytes));
        // The time of the last event is kept as an instant (it reads back in UTC).
        Assert.Equal(data.LastTriggered!.Value.UtcTicks, copy.LastTriggered!.Value.UtcTicks);
        Assert.Equal(TimeSpan.Zero, copy.LastTriggered.Value.Offset);
    }

    [Fact]
    public void An_open_incident_and_a_closed_one_in_a_registration_round_trip()
    {
        var data = MidCycle(TestActor);
        var open = new Incident(Guid.NewGuid(), 1796000001.25, 1796000003.5)
        {
            Keyframe = KeyframeStage.Written, KeyframePts = 31, ImagePath = "/tmp/вход/k.jpg", Announced = true, Part = 2,
        };
        var closed = new Incident(Guid.NewGuid(), 1796000000.5, 1796000001.0) { Keyframe = KeyframeStage.Writing, KeyframePts = 11, End = 1796000006.0 };
        data = data with
        {
            Span = new SpanState
            {
                Open = open, WindowSeen = 7, WindowDetections = 3, WindowFirstDetection = 1796000004.0, WindowLastDetection = 1796000004.2, Newest = 1796000004.3,
                NewestSeenAt = new DateTimeOffset(2026, 11, 30, 10, 0, 4, 300, TimeSpan.Zero),
            },
            Registrations = data.Registrations.SetItem(1, data.Registrations[1] with { Incident = closed }),
        };

        var copy = RoundTrip(data);

        TaskDataAssert.Equivalent(data, copy);
        Assert.Equal(open, copy.Span.Open);
        Assert.Equal(closed, copy.Registrations[1].Incident);
        Assert.Null(copy.Registrations[0].Incident);
        Assert.True(copy.HasContent);
    }

    [Fact]
    public void A_state_an_older_node_saved_as_TaskData_1_reads_with_no_incident()
    {
        var data = MidCycle(TestActor) with { Registrations = [] };
        // TaskData/2 of an idle span ends in 20 bytes: no open incident, two zero counts, three absent times, the ticks of when.
        var v1 = Serializer.ToBinary(data)[..^20];

        var copy = Assert.IsType<TaskData>(Serializer.FromBinary(v1, "TaskData/1"));

        TaskDataAssert.Equivalent(data, copy);
        Assert.Null(copy.Span.Open);
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(v1, "TaskData/2"));
    }

    [Fact]
    public void A_registration_answers_its_asker_through_the_ref_that_came_back()
    {
        var copy = RoundTrip(MidCycle(TestActor));

        Assert.Equal(TestActor, copy.Registrations[0].ReplyTo);
        Assert.Same(ActorRefs.Nobody, copy.Registrations[2].ReplyTo);
        copy.Registrations[0].ReplyTo.Tell("answer");
        ExpectMsg("answer");
    }

    [Fact]
    public void A_new_task_and_the_sentinels_it_starts_with_round_trip()
    {
        var data = TaskData.New("", new TaskSettingsView(30, 0.3));

        var copy = RoundTrip(data);

        TaskDataAssert.Equivalent(data, copy);
        Assert.Equal((long.MinValue, double.MinValue, double.MinValue, (double?)null),
            (copy.Clock.LastTick, copy.Clock.LastKeptTime, copy.Clock.Newest, copy.Clock.Epoch));
        Assert.True(copy.Frames.ForceKeyframeNext);
        Assert.Null(copy.LatestMessageJson);
        Assert.Null(copy.LastTriggered);
    }

    [Fact]
    public void Akka_picks_this_serializer_for_TaskData_from_the_loaded_configuration()
    {
        var data = MidCycle(TestActor);

        var serializer = Sys.Serialization.FindSerializerFor(data);

        Assert.IsType<TaskDataSerializer>(serializer);
        Assert.Equal(TaskDataSerializer.Id, serializer.Identifier);
        Assert.Equal(4712, serializer.Identifier);
        Assert.IsType<TaskDataSerializer>(Sys.Serialization.FindSerializerForType(typeof(TaskData)));
        Assert.Equal("TaskData/2", Serialization.ManifestFor(serializer, data));
        // Binding TaskData leaves the protocol messages with their own serializer.
        Assert.IsType<RegistratorSerializer>(Sys.Serialization.FindSerializerFor(new TaskCommands.CreateTask(Key)));
        Assert.NotEqual(RegistratorSerializer.Id, TaskDataSerializer.Id);
    }

    [Fact]
    public void Truncated_input_at_every_length_is_a_serialization_error()
    {
        var bytes = Serializer.ToBinary(MidCycle(TestActor));

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            Assert.Throws<SerializationException>(() => Serializer.FromBinary(prefix, "TaskData/2"));
        }
        Assert.Throws<SerializationException>(() => Serializer.FromBinary([.. bytes, 0], "TaskData/2"));
    }

    [Theory]
    [InlineData("TaskData/3")]
    [InlineData("TaskData/0")]
    [InlineData("AddFrame/2")]
    [InlineData("")]
    public void An_unknown_manifest_is_a_serialization_error(string manifest)
    {
        var bytes = Serializer.ToBinary(MidCycle(TestActor));

        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, manifest));

        Assert.Contains($"'{manifest}'", error.Message);
    }

    [Theory]
    [InlineData(-1, "negative")]
    [InlineData(int.MinValue, "negative")]
    [InlineData(int.MaxValue, "does not fit")]
    public void A_status_count_that_cannot_be_is_refused_before_anything_is_allocated(int count, string reason)
    {
        var bytes = Serializer.ToBinary(MidCycle(TestActor));
        // Key (presence byte, length, UTF-8), column (byte), cycle (int32), then the status count.
        var offset = 1 + 4 + System.Text.Encoding.UTF8.GetByteCount(Key) + 1 + 4;
        Assert.Equal(5, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), count);

        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "TaskData/2"));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_lifecycle_column_that_does_not_exist_is_refused()
    {
        var bytes = Serializer.ToBinary(MidCycle(TestActor));
        var offset = 1 + 4 + System.Text.Encoding.UTF8.GetByteCount(Key);
        Assert.Equal((byte)LifecycleColumn.Pending, bytes[offset]);
        bytes[offset] = 200;

        Assert.Contains("lifecycle column", Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "TaskData/2")).Message);
    }

    [Fact]
    public void Corrupted_input_is_read_or_refused_with_a_serialization_error_and_nothing_else()
    {
        var bytes = Serializer.ToBinary(MidCycle(TestActor));
        var random = new Random(4712);
        for (var round = 0; round < 3000; round++)
        {
            var corrupt = (byte[])bytes.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            try
            {
                Assert.IsType<TaskData>(Serializer.FromBinary(corrupt, "TaskData/2"));
            }
            catch (SerializationException)
            {
            }
        }
    }

    [Fact]
    public void Three_hundred_10_kB_packets_travel_as_their_raw_bytes_plus_a_small_header()
    {
        const int packets = 300, packetBytes = 10_000;
        var random = new Random(300);
        var frames = new CycleFrames { Width = 640, Height = 480, ForceKeyframeNext = false };
        for (var i = 0; i < packets; i++)
        {
            var data = new byte[packetBytes];
            random.NextBytes(data);
            (frames, var kept) = (frames with { InFlight = 1 }).Append(new BufferedFrame(new EncodedPacket(data, i, i % 10 == 0), $"frame_{i:D4}"));
            Assert.True(kept);
        }
        var task = TaskData.New(Key, new TaskSettingsView(30, 0.3)) with { Column = LifecycleColumn.Created, Frames = frames };
        const long raw = (long)packets * packetBytes;
        Assert.Equal(raw, frames.Bytes);

        var bytes = Serializer.ToBinary(task);

        Assert.InRange(bytes.LongLength, raw, (long)(raw * 1.01) + 64 * 1024);
        var copy = Assert.IsType<TaskData>(Serializer.FromBinary(bytes, "TaskData/2"));
        TaskDataAssert.Equivalent(task, copy);
        Assert.Equal(30, copy.Frames.Gops.Count);
    }

    [Fact]
    public void Every_property_of_the_state_is_one_TaskData_2_carries()
    {
        // A property added to the state must be added to TaskDataSerializer (and, once nodes run TaskData/2, to a
        // TaskData/3 beside it): this list is what TaskData/2 carries, derived values aside.
        AssertShape<TaskData>("Key", "Column", "State*", "Cycle", "Statuses", "Trigger", "LatestMessageJson", "LatestMessageTime",
            "Frames", "Clock", "Registrations", "LastTriggered", "StopRequested", "Counters", "Span", "HeldBytes*", "HasContent*");
        AssertShape<SpanState>("Open", "WindowSeen", "WindowDetections", "WindowFirstDetection", "WindowLastDetection", "Newest", "NewestSeenAt");
        AssertShape<Incident>("EventId", "Start", "LastDetection", "Keyframe", "KeyframePts", "ImagePath", "Announced", "End", "Part");
        Assert.Equal(Enum.GetValues<KeyframeStage>().Select(v => (int)v), Enumerable.Range(0, 4));
        AssertShape<CycleFrames>("Width", "Height", "Gops", "Count", "Bytes", "Pending", "PendingBytes*", "InFlight",
            "DiscardUntilKeyframe", "ForceKeyframeNext", "HasSize*", "RawFrameBytes*", "HeldBytes*");
        AssertShape<Gop>("Frames", "Bytes");
        AssertShape<BufferedFrame>("Packet", "FrameId");
        AssertShape<EncodedPacket>("Data", "Pts", "IsKeyframe");
        AssertShape<PendingFrame>("Pixels", "FrameId", "CaptureTime", "ArrivedAt", "Timed", "Format");
        AssertShape<WindowTrigger>("Window", "Ratio", "Seen", "Detections");
        AssertShape<CaptureClock>("Epoch", "LastTick", "LastKeptTime", "Newest");
        AssertShape<TaskCounters>("FramesDropped", "GopsDropped", "FramesSkipped", "FramesLate", "StatusesDropped", "Rejected",
            "FramesBudgetDropped");
        AssertShape<TaskRegistration>("EventId", "ReplyTo", "MessageJson", "Cycle", "Frames", "KeyframeId", "StatusCount",
            "MostCommonStatus", "Stage", "FrameCount", "Incident", "StageName*");
        Assert.Equal(Enum.GetValues<LifecycleColumn>().Select(v => (int)v), Enumerable.Range(0, 7));
        Assert.Equal(Enum.GetValues<RegistrationStage>().Select(v => (int)v), Enumerable.Range(0, 3));
    }

    [Fact]
    public void The_bridges_status_batch_and_the_tasks_answer_round_trip_through_the_task_serializer()
    {
        var batch = new StatusBatch(Key, [new BatchedStatus(true, """{"key":"вход","timestamp":1796000000.5}""", 1796000000.5), new BatchedStatus(false, "{}", null)]);
        var answer = new StatusBatchAnswer(Key, TaskState.Done, 3, 2, "registering");

        var batchCopy = Assert.IsType<StatusBatch>(RoundTripMessage(batch));
        var answerCopy = Assert.IsType<StatusBatchAnswer>(RoundTripMessage(answer));

        Assert.Equal(Key, batchCopy.TaskKey);
        Assert.Equal(batch.Statuses.ToArray(), batchCopy.Statuses.ToArray());
        Assert.Equal(answer, answerCopy);
        Assert.Equal(TaskDataSerializer.Id, Sys.Serialization.FindSerializerFor(batch).Identifier);
    }

    private object RoundTripMessage(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        return Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, Serialization.ManifestFor(serializer, message));
    }

    private SerializerWithStringManifest Serializer => (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(TaskData));

    private TaskData RoundTrip(TaskData data)
    {
        var serializer = Sys.Serialization.FindSerializerFor(data);
        return Assert.IsType<TaskData>(Sys.Serialization.Deserialize(serializer.ToBinary(data), serializer.Identifier,
            Serialization.ManifestFor(serializer, data)));
    }

    /// <summary>The record's public properties: a trailing * marks a derived one (computed, not carried).</summary>
    private static void AssertShape<T>(params string[] expected)
    {
        var actual = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != "EqualityContract")
            .Select(p => p.Name + (p.SetMethod is null ? "*" : ""))
            .Order()
            .ToArray();
        Assert.Equal(expected.Order().ToArray(), actual);
    }

    /// <summary>
    /// A task after several statuses, frames and two registrations: GOPs with packets (one starts mid-stream), raw
    /// frames waiting in the reorder window, frames at the encoder, the trigger half way, the capture clock running,
    /// registrations in every stage and every counter set.
    /// </summary>
    internal static TaskData MidCycle(IActorRef asker)
    {
        var random = new Random(11);
        byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }
        CycleFrames BuildCycle(int gops, int framesPerGop, long firstPts)
        {
            var frames = new CycleFrames { Width = Width, Height = Height };
            var pts = firstPts;
            for (var g = 0; g < gops; g++)
                for (var f = 0; f < framesPerGop; f++, pts++)
                {
                    var packet = new EncodedPacket(RandomBytes(f == 0 ? 700 + g : 40 + f), pts, f == 0);
                    (frames, _) = (frames with { InFlight = frames.InFlight + 1 }).Append(new BufferedFrame(packet, f == 1 ? null : $"frame_{pts:D3}"));
                }
            return frames;
        }

        var frames = BuildCycle(gops: 3, framesPerGop: 4, firstPts: 30) with { InFlight = 2, ForceKeyframeNext = false };
        frames = frames.AddPending(new PendingFrame(RandomBytes(3 * Width * Height), "frame_043", 1796000004.3,
            new DateTimeOffset(2026, 11, 30, 10, 0, 4, 300, TimeSpan.Zero)));
        frames = frames.AddPending(new PendingFrame(RandomBytes(3 * Width * Height), null, 1796000004.2,
            new DateTimeOffset(2026, 11, 30, 13, 0, 4, 350, TimeSpan.FromHours(3))));

        var encoding = new TaskRegistration(Guid.NewGuid(), asker, """{"event_type":"motion","timestamp":1796000001.5}""", 5,
            BuildCycle(gops: 2, framesPerGop: 3, firstPts: 10) with { InFlight = 1, DiscardUntilKeyframe = true }, "frame_012", 12, true,
            RegistrationStage.Encoding, 6);
        var writing = new TaskRegistration(Guid.NewGuid(), asker, "{}", 6, BuildCycle(gops: 1, framesPerGop: 5, firstPts: 20), null, 0, null,
            RegistrationStage.Writing, 5);
        var recording = new TaskRegistration(Guid.NewGuid(), ActorRefs.Nobody, "", 4, CycleFrames.Empty, "", 3, false,
            RegistrationStage.Recording);

        return TaskData.New(Key, new TaskSettingsView(30, 0.3)) with
        {
            Column = LifecycleColumn.Pending,
            Cycle = 7,
            Statuses = [true, false, true, true, false],
            Trigger = new WindowTrigger(30, 0.3, 5, 3),
            LatestMessageJson = """{"model":"yolo","timestamp":1796000004.25,"result":{"scores":[0.9]}}""",
            LatestMessageTime = 1796000004.25,
            Frames = frames,
            Clock = new CaptureClock(1796000000.0, 41, 1796000004.1, 1796000004.3),
            Registrations = [encoding, writing, recording],
            LastTriggered = new DateTimeOffset(2026, 11, 30, 12, 59, 58, 125, TimeSpan.FromHours(3)),
            StopRequested = true,
            Counters = new TaskCounters(1, 2, 3, 4, 5, 6, long.MaxValue),
        };
    }
}

/// <summary>
/// Structural equality for the task state: its records hold <see cref="ImmutableList{T}"/>s and byte arrays, whose own
/// equality is by reference. Walks every public property, so a property added to a record is compared too.
/// </summary>
internal static class TaskDataAssert
{
    public static void Equivalent(TaskData expected, TaskData actual) => Equivalent(expected, actual, nameof(TaskData));

    private static void Equivalent(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        var type = expected.GetType();
        Assert.True(type == actual.GetType(), $"{path}: expected a {type}, got a {actual.GetType()}");
        switch (expected)
        {
            case string or IActorRef or Guid or DateTimeOffset or Enum:
            case var _ when type.IsPrimitive:
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                return;
            case byte[] bytes:
                Assert.True(bytes.AsSpan().SequenceEqual((byte[])actual), $"{path}: bytes differ");
                return;
            case IEnumerable items:
                var left = items.Cast<object?>().ToArray();
                var right = ((IEnumerable)actual).Cast<object?>().ToArray();
                Assert.True(left.Length == right.Length, $"{path}: expected {left.Length} items, got {right.Length}");
                for (var i = 0; i < left.Length; i++) Equivalent(left[i], right[i], $"{path}[{i}]");
                return;
        }
        Assert.True(type.Namespace?.StartsWith("Registrator", StringComparison.Ordinal) == true, $"{path}: no comparison for {type}");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.Name == "EqualityContract" || property.GetIndexParameters().Length > 0) continue;
            Equivalent(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
        }
    }
}

/// <summary>As a cluster node writes it: the asker's path carries the node's address, and resolves back to the asker.</summary>
public sealed class TaskDataSerializerClusterSpec() : TestKit(RegistratorConfig.Load("""
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    akka.cluster.seed-nodes = []
    """, new Hashtable()))
{
    [Fact]
    public void The_asker_travels_as_its_full_address_and_comes_back_as_the_same_ref()
    {
        var data = TaskDataSerializerSpec.MidCycle(TestActor);
        var serializer = Sys.Serialization.FindSerializerFor(data);
        Assert.IsType<TaskDataSerializer>(serializer);
        Assert.StartsWith("akka.tcp://", Serialization.SerializedActorPath(TestActor));

        var copy = Assert.IsType<TaskData>(Sys.Serialization.Deserialize(serializer.ToBinary(data), serializer.Identifier,
            Serialization.ManifestFor(serializer, data)));

        TaskDataAssert.Equivalent(data, copy);
        copy.Registrations[1].ReplyTo.Tell("answer");
        ExpectMsg("answer");
    }
}
