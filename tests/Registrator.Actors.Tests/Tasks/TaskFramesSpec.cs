using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

public sealed class TaskFramesSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.task.max-frames = 3")
{
    [Fact]
    public void A_frame_of_another_size_is_rejected_with_both_sizes_in_the_reason()
    {
        var key = NewKey();
        Accept(Frame(key, 640, 480));
        var rejected = Ask<Rejected>(Frame(key, 320, 240));
        Assert.Contains("320x240", rejected.Reason);
        Assert.Contains("640x480", rejected.Reason);
        var snapshot = Snapshot(key);
        Assert.Equal((1, 640, 480), (snapshot.FrameCount, snapshot.FrameWidth, snapshot.FrameHeight));
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

    [Fact]
    public void Max_frames_drops_the_oldest_and_counts_the_drops()
    {
        var key = NewKey();
        for (byte i = 1; i <= 5; i++) Accept(Frame(key, fill: i, id: $"f{i}"));
        var snapshot = Snapshot(key);
        Assert.Equal(3, snapshot.FrameCount);
        Assert.Equal(2, snapshot.FramesDropped);
        Assert.Equal(3 * 4 * 2 * 3, snapshot.BufferedBytes);

        var (job, _) = Register(key);
        Assert.Equal(["f3", "f4", "f5"], job.Frames.Select(f => f.FrameId));
    }

    [Fact]
    public void Odd_sized_frames_are_accepted_for_the_encoder_to_pad()
    {
        var key = NewKey();
        Assert.Equal(TaskState.Created, Accept(Frame(key, 641, 481)).State);
    }

    [Fact]
    public void A_new_cycle_empties_the_buffer_and_forgets_the_frame_size()
    {
        var key = NewKey();
        Accept(Frame(key, 4, 2));
        Accept(new AddStatus(key, true));
        Register(key);
        Assert.Equal(TaskState.Finished, Snapshot(key).State);

        Accept(Frame(key, 8, 6));
        var snapshot = Snapshot(key);
        Assert.Equal(TaskState.Created, snapshot.State);
        Assert.Equal((1, 8, 6), (snapshot.FrameCount, snapshot.FrameWidth, snapshot.FrameHeight));
        Assert.Empty(snapshot.Statuses);
        Assert.Equal(1, snapshot.Cycle);
    }

    [Fact]
    public void A_numeric_frame_id_in_the_message_picks_the_keyframe_too()
    {
        var key = NewKey();
        Accept(Frame(key, id: "17"));
        var (job, _) = Register(key, message: """{"frame_id":17}""");
        Assert.Equal("17", job.KeyframeId);
    }

    [Fact]
    public void A_failed_clip_leaves_the_task_in_ERROR_and_still_answers_with_the_event()
    {
        var key = NewKey();
        var (_, registered) = Register(key, succeed: false);
        Assert.Null(registered.VideoPath);
        Assert.Null(registered.ImagePath);
        Assert.Equal("no frames to encode", registered.Error);
        Assert.Equal(TaskState.Error, Snapshot(key).State);
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
    public void While_registering_a_second_registration_is_rejected_and_the_state_is_DONE()
    {
        var key = NewKey();
        Accept(Frame(key));
        Region.Tell(new RegisterTask(key, "{}"), TestActor);
        var job = Encoder.ExpectMsg<Registrator.Actors.Encoding.EncodeJob>();
        var encoderSender = Encoder.LastSender;

        Assert.Contains("already in progress", Ask<Rejected>(new RegisterTask(key, "{}")).Reason);
        Assert.Equal(TaskState.Done, Ask<Rejected>(Frame(key)).State);
        var snapshot = Snapshot(key);
        Assert.True(snapshot.Registering);
        Assert.Equal(TaskState.Done, snapshot.State);

        encoderSender.Tell(new Registrator.Actors.Encoding.EncodeFailed(job.EventId, "disk full"), Encoder.Ref);
        Assert.Equal("disk full", ExpectMsg<TaskEvents.EventRegistered>().Error);
        Assert.False(Snapshot(key).Registering);
    }

    [Fact]
    public void DeleteTask_during_registration_waits_for_the_event_then_forgets_the_task()
    {
        var key = NewKey();
        Accept(Frame(key));
        Region.Tell(new RegisterTask(key, "{}"), TestActor);
        var job = Encoder.ExpectMsg<Registrator.Actors.Encoding.EncodeJob>();
        var encoderSender = Encoder.LastSender;
        Assert.Equal(TaskState.None, Accept(new DeleteTask(key)).State);
        Assert.Equal(TaskState.Done, Snapshot(key).State);

        encoderSender.Tell(new Registrator.Actors.Encoding.EncodeSucceeded(job.EventId, "/tmp/x.mp4", "/tmp/x.jpg", 1, TimeSpan.Zero), Encoder.Ref);
        Assert.Equal(job.EventId, ExpectMsg<TaskEvents.EventRegistered>().EventId);
        AwaitAssert(() => Assert.Equal(TaskState.None, Snapshot(key).State));
    }
}

/// <summary>
/// Local delivery without serialization (as between a node's own actors), so the test can see that the encoder gets
/// the very arrays the task buffered.
/// </summary>
public sealed class TaskFrameOwnershipSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "akka.actor.serialize-messages = off")
{
    [Fact]
    public void Registration_moves_the_frames_to_the_encoder_without_copying_them()
    {
        var key = NewKey();
        var frames = Enumerable.Range(0, 3).Select(i => Frame(key, fill: (byte)i, id: $"f{i}")).ToArray();
        foreach (var frame in frames) Accept(frame);

        var (job, registered) = Register(key, message: """{"model":"yolo","frame_id":"f1"}""");

        Assert.Equal(frames.Length, job.Frames.Count);
        for (var i = 0; i < frames.Length; i++) Assert.Same(frames[i].Pixels, job.Frames[i].Pixels);
        Assert.Equal("f1", job.KeyframeId);
        Assert.Equal((4, 2), (job.Width, job.Height));
        Assert.Equal(job.EventId, registered.EventId);
        var snapshot = Snapshot(key);
        Assert.Equal(0, snapshot.FrameCount);
        Assert.Equal(0, Budget.UsedBytes);
    }
}
