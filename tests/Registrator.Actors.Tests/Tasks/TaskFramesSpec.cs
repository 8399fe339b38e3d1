using Registrator.Actors.Encoding;
using Registrator.Actors.Tests.Support;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// Frames through the region with the encoder double: each frame is encoded on arrival, the task keeps the packets
/// grouped by GOP (a keyframe every 10 frames here) and drops the oldest whole GOP past 20 frames.
/// </summary>
public sealed class TaskFramesSpec(ITestOutputHelper output) : ShardedTaskSpec(output, """
    registrator.task.max-frames = 20
    registrator.media.keyint = 10
    """)
{
    [Fact]
    public void Each_frame_goes_to_the_encoder_on_arrival_and_comes_back_into_the_buffer_as_a_packet()
    {
        var key = NewKey();
        var frames = Enumerable.Range(0, 3).Select(i => Frame(key, fill: (byte)(i + 1), id: $"f{i}")).ToArray();

        foreach (var frame in frames) Assert.Equal(TaskState.Created, Accept(frame).State);

        var sent = frames.Select(_ => EncoderFrames.ExpectMsg<EncodeFrame>()).ToArray();
        Assert.Equal(["f0", "f1", "f2"], sent.Select(f => f.FrameId));
        Assert.Equal([0L, 1L, 2L], sent.Select(f => f.Pts));
        Assert.Equal([true, false, false], sent.Select(f => f.ForceKeyframe));
        Assert.All(sent, f => Assert.Equal((key, 0, 4, 2), (f.TaskKey, f.Cycle, f.Width, f.Height)));
        Assert.Equal(frames.Select(f => f.Pixels), sent.Select(f => f.Pixels));

        var snapshot = AwaitEncoded(key, 3);
        Assert.Equal((4, 2), (snapshot.FrameWidth, snapshot.FrameHeight));
        Assert.Equal(3 * EncoderDouble.PacketBytes, snapshot.BufferedBytes);
        Assert.Equal(snapshot.BufferedBytes, Budget.UsedBytes);
        Assert.Equal(0, snapshot.FramesDropped);
    }

    [Fact]
    public void A_frame_of_another_size_is_rejected_with_both_sizes_in_the_reason()
    {
        var key = NewKey();
        Accept(Frame(key, 640, 480));
        var rejected = Ask<Rejected>(Frame(key, 320, 240));
        Assert.Contains("320x240", rejected.Reason);
        Assert.Contains("640x480", rejected.Reason);
        var snapshot = AwaitEncoded(key, 1);
        Assert.Equal((640, 480), (snapshot.FrameWidth, snapshot.FrameHeight));
        Assert.Equal(1, snapshot.RejectedCommands);
    }

    [Theory]
    [InlineData(4, 2, 23)]
    [InlineData(4, 2, 25)]
    [InlineData(4, 2, 0)]
    public void A_frame_whose_byte_count_does_not_match_its_size_is_rejected(int width, int height, int bytes)
    {
        var key = NewKey();
        var rejected = Ask<Rejected>(new AddFrame(key, width, height, new byte[bytes]));
        Assert.Contains($"needs {width * height * 3} bytes, got {bytes}", rejected.Reason);
        Assert.Equal(TaskState.None, Snapshot(key).State);
        EncoderFrames.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(-4, 2)]
    [InlineData(9000, 2)]
    public void A_frame_of_impossible_size_is_rejected(int width, int height)
    {
        var key = NewKey();
        var rejected = Ask<Rejected>(new AddFrame(key, width, height, []));
        Assert.Contains("out of range", rejected.Reason);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1796000000.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_frame_with_an_impossible_capture_time_is_rejected(double time)
    {
        var key = NewKey();
        var rejected = Ask<Rejected>(Frame(key, time: time));
        Assert.Contains("capture time", rejected.Reason);
        Assert.Equal(TaskState.None, Snapshot(key).State);
    }

    [Fact]
    public void Odd_sized_frames_are_accepted_for_the_encoder_to_pad()
    {
        var key = NewKey();
        Assert.Equal(TaskState.Created, Accept(Frame(key, 641, 481)).State);
        var sent = EncoderFrames.ExpectMsg<EncodeFrame>();
        Assert.Equal((641, 481, 641 * 481 * 3), (sent.Width, sent.Height, sent.Pixels.Length));
    }

    [Fact]
    public void Past_max_frames_the_oldest_whole_GOP_is_dropped_and_counted()
    {
        var key = NewKey();
        AddFrames(key, 20);
        Assert.Equal(0, Snapshot(key).FramesDropped);

        // The 21st frame starts the third GOP and is one too many: the first GOP (f0..f9) goes.
        Accept(Frame(key, id: "f20"));
        var snapshot = AwaitEncoded(key, 11);
        Assert.Equal((10, 1), (snapshot.FramesDropped, snapshot.GopsDropped));
        Assert.Equal(11 * EncoderDouble.PacketBytes, snapshot.BufferedBytes);
        Assert.Equal(snapshot.BufferedBytes, Budget.UsedBytes);

        for (var i = 21; i < 25; i++) Accept(Frame(key, id: $"f{i}"));
        AwaitEncoded(key, 15);

        var (clip, _) = Register(key, message: """{"frame_id":"f12"}""");
        Assert.Equal(15, clip.Packets.Count);
        Assert.True(clip.Packets[0].IsKeyframe);
        Assert.Equal([10L, 20L], clip.Packets.Where(p => p.IsKeyframe).Select(p => p.Pts));
        Assert.Equal(Enumerable.Range(10, 15).Select(i => (long)i), clip.Packets.Select(p => p.Pts));
        Assert.Equal(2, clip.KeyframeIndex); // f12 is the third frame kept
    }

    [Fact]
    public void A_numeric_frame_id_in_the_message_picks_the_keyframe_too()
    {
        var key = NewKey();
        Accept(Frame(key, id: "16"));
        Accept(Frame(key, id: "17"));
        Accept(Frame(key, id: "18"));
        var (clip, _) = Register(key, message: """{"frame_id":17}""");
        Assert.Equal(1, clip.KeyframeIndex);
    }

    [Fact]
    public void Without_a_matching_frame_id_the_keyframe_is_the_last_frame()
    {
        var key = NewKey();
        AddFrames(key, 4);
        var (clip, _) = Register(key, message: """{"frame_id":"not-buffered"}""");
        Assert.Equal(3, clip.KeyframeIndex);
        Assert.Equal((key, 4, 2), (clip.TaskKey, clip.Width, clip.Height));
    }

    [Fact]
    public void Registration_waits_for_the_frames_still_at_the_encoder()
    {
        var key = NewKey();
        // A region of its own whose encoder is a probe: frames stay "at the encoder" until the test answers them.
        var frames = CreateTestProbe();
        var region = StartRegion(frames.Ref);
        region.Tell(Frame(key, id: "a"), TestActor);
        ExpectMsg<Accepted>();
        var sent = frames.ExpectMsg<EncodeFrame>();
        var task = frames.LastSender;

        region.Tell(new RegisterTask(key, "{}"), TestActor);
        region.Tell(new TaskQueries.GetTask(key), TestActor);
        var snapshot = ExpectMsg<TaskSnapshot>();
        Assert.Equal(TaskState.Done, snapshot.State);
        var registration = Assert.Single(snapshot.Registrations);
        Assert.Equal("encoding", registration.Stage);
        frames.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        task.Tell(new FrameEncoded(sent.Cycle, new Registrator.Media.EncodedPacket(new byte[10], sent.Pts, true), sent.FrameId), frames.Ref);
        var clip = frames.ExpectMsg<WriteClip>();
        Assert.Equal(registration.EventId, clip.EventId);
        Assert.Single(clip.Packets);
    }

    [Fact]
    public void A_new_cycle_empties_the_buffer_and_forgets_the_frame_size()
    {
        var key = NewKey();
        AddFrames(key, 2);
        Accept(new AddStatus(key, true));
        Register(key);
        Assert.Equal(TaskState.Finished, Snapshot(key).State);

        Assert.Equal(TaskState.Created, Accept(Frame(key, 8, 6)).State);
        var snapshot = AwaitEncoded(key, 1);
        Assert.Equal((8, 6), (snapshot.FrameWidth, snapshot.FrameHeight));
        Assert.Empty(snapshot.Statuses);
        Assert.Equal(1, snapshot.Cycle);
        Assert.Equal(EncoderDouble.PacketBytes, Budget.UsedBytes);
    }

    [Fact]
    public void The_first_frame_of_every_cycle_is_a_forced_keyframe()
    {
        var key = NewKey();
        AddFrames(key, 3);
        Register(key);
        AddFrames(key, 2);

        var sent = Enumerable.Range(0, 5).Select(_ => EncoderFrames.ExpectMsg<EncodeFrame>()).ToArray();
        Assert.Equal([true, false, false, true, false], sent.Select(f => f.ForceKeyframe));
        Assert.Equal([0, 0, 0, 1, 1], sent.Select(f => f.Cycle));
        var (clip, _) = Register(key);
        Assert.True(clip.Packets[0].IsKeyframe);
        Assert.Equal([3L, 4L], clip.Packets.Select(p => p.Pts));
    }

    [Fact]
    public void A_failed_clip_leaves_the_task_in_ERROR_and_still_answers_with_the_event()
    {
        var key = NewKey();
        AddFrames(key, 1);
        var registered = Complete(BeginRegistration(key), succeed: false, reason: "disk full");
        Assert.Null(registered.VideoPath);
        Assert.Null(registered.ImagePath);
        Assert.Equal("disk full", registered.Error);
        var snapshot = Snapshot(key);
        Assert.Equal(TaskState.Error, snapshot.State);
        Assert.Empty(snapshot.Registrations);
        Assert.Equal(0, Budget.UsedBytes);
    }

    [Fact]
    public void A_registration_without_frames_ends_in_ERROR_without_asking_for_a_clip()
    {
        var key = NewKey();
        Accept(new AddStatus(key, true));
        Region.Tell(new RegisterTask(key, DefaultMessage), TestActor);
        var registered = ExpectMsg<TaskEvents.EventRegistered>();
        Assert.Null(registered.VideoPath);
        Assert.Contains("no frames", registered.Error);
        Assert.Equal(TaskState.Error, Snapshot(key).State);
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_message_that_is_not_a_JSON_object_is_rejected_and_changes_nothing()
    {
        var key = NewKey();
        Accept(new CreateTask(key));
        foreach (var bad in new[] { "", "[1,2]", "{not json", "42" })
            Assert.Contains("JSON object", Ask<Rejected>(new RegisterTask(key, bad)).Reason);
        Assert.Equal(TaskState.Created, Snapshot(key).State);
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_region_without_an_encoder_rejects_frames_and_registrations()
    {
        var region = StartRegion(Akka.Actor.ActorRefs.Nobody);
        var key = NewKey();
        region.Tell(Frame(key), TestActor);
        Assert.Contains("no encoder", ExpectMsg<Rejected>().Reason);
        region.Tell(new RegisterTask(key, "{}"), TestActor);
        Assert.Contains("no encoder", ExpectMsg<Rejected>().Reason);
    }
}

/// <summary>Frames with a capture time wait in the reorder window and reach the encoder in capture order.</summary>
public sealed class TaskReorderSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.task.reorder-window = 400ms")
{
    [Fact]
    public void Frames_that_arrive_out_of_order_reach_the_encoder_in_capture_order()
    {
        var key = NewKey();
        const double t = FirstCaptureTime;
        Accept(Frame(key, id: "b", time: t + 0.1));
        Accept(Frame(key, id: "a", time: t));
        Accept(Frame(key, id: "c", time: t + 0.2));
        Assert.Equal(3, Snapshot(key).FramesPending);

        var sent = Enumerable.Range(0, 3).Select(_ => EncoderFrames.ExpectMsg<EncodeFrame>(TimeSpan.FromSeconds(5))).ToArray();
        Assert.Equal(["a", "b", "c"], sent.Select(f => f.FrameId));
        Assert.True(sent[0].ForceKeyframe);
        // The clip's time starts at the earliest capture, not at the first frame to arrive.
        Assert.Equal([0L, 1L, 2L], sent.Select(f => f.Pts));
        AwaitEncoded(key, 3);
    }

    [Fact]
    public void A_frame_older_than_the_window_allows_is_late_rejected_and_counted()
    {
        var key = NewKey();
        const double t = FirstCaptureTime;
        Accept(Frame(key, id: "new", time: t + 1));
        var rejected = Ask<Rejected>(Frame(key, id: "old", time: t));
        Assert.Contains("reorder window", rejected.Reason);
        Assert.Equal(1, Snapshot(key).FramesLate);
    }

    [Fact]
    public void Frames_closer_than_one_frame_interval_are_skipped_and_counted()
    {
        var key = NewKey();
        const double t = FirstCaptureTime;
        Accept(Frame(key, id: "a", time: t));
        Accept(Frame(key, id: "a-again", time: t + 0.02));
        Accept(Frame(key, id: "b", time: t + 0.1));

        Assert.Equal("a", EncoderFrames.ExpectMsg<EncodeFrame>(TimeSpan.FromSeconds(5)).FrameId);
        Assert.Equal("b", EncoderFrames.ExpectMsg<EncodeFrame>(TimeSpan.FromSeconds(5)).FrameId);
        var snapshot = AwaitEncoded(key, 2);
        Assert.Equal(1, snapshot.FramesSkipped);
    }

    [Fact]
    public void A_registration_takes_the_frames_still_in_the_window()
    {
        var key = NewKey();
        Accept(Frame(key, id: "a"));
        Accept(Frame(key, id: "b"));
        var clip = BeginRegistration(key, """{"frame_id":"a"}""");
        Assert.Equal(2, clip.Clip.Packets.Count);
        Assert.Equal(0, clip.Clip.KeyframeIndex);
    }
}

/// <summary>
/// Local delivery without serialization (as between a node's own actors), so the test can see that the encoder gets
/// the very arrays the task was given.
/// </summary>
public sealed class TaskFrameOwnershipSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "akka.actor.serialize-messages = off")
{
    [Fact]
    public void Frames_reach_the_encoder_without_copying_and_registration_frees_their_packets()
    {
        var key = NewKey();
        var frames = Enumerable.Range(0, 3).Select(i => Frame(key, fill: (byte)i, id: $"f{i}")).ToArray();
        foreach (var frame in frames) Accept(frame);

        foreach (var frame in frames) Assert.Same(frame.Pixels, EncoderFrames.ExpectMsg<EncodeFrame>().Pixels);
        AwaitEncoded(key, 3);
        Assert.Equal(3 * EncoderDouble.PacketBytes, Budget.UsedBytes);

        var (clip, registered) = Register(key, message: """{"model":"yolo","frame_id":"f1"}""");

        Assert.Equal(3, clip.Packets.Count);
        Assert.Equal(1, clip.KeyframeIndex);
        Assert.Equal((4, 2), (clip.Width, clip.Height));
        Assert.Equal(clip.EventId, registered.EventId);
        Assert.Equal(0, Snapshot(key).FrameCount);
        Assert.Equal(0, Budget.UsedBytes);
    }
}
