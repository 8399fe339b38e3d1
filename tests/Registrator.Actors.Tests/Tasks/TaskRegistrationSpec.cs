using Akka.Actor;
using OpenCvSharp;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskEvents;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// RegisterTask through the shard region with the node's real encoder pool (the machine's FFmpeg): frames encoded as
/// they arrive, DONE → clip muxed from the packets and keyframe written → FINISHED, read back by ffprobe.
/// </summary>
public sealed class TaskRegistrationSpec : ShardedTaskSpec
{
    private readonly IActorRef _region;

    public TaskRegistrationSpec(ITestOutputHelper output) : base(output, "akka.test.single-expect-default = 30s") =>
        _region = StartRegion(StartEncoderPool());

    [Fact]
    public void Thirty_frames_of_640x480_become_an_H264_clip_and_the_keyframe_the_message_names()
    {
        const string key = "cameras/gate 1/детектор";
        SendFrames(key, 30, fill: i => (byte)(i * 8));
        _region.Tell(new AddStatus(key, true), TestActor);
        ExpectMsg<Accepted>();

        _region.Tell(new RegisterTask(key, """{"model":"YOLOModel","frame_id":"frame_007"}"""), TestActor);
        var registered = ExpectMsg<EventRegistered>();

        Assert.Equal(key, registered.TaskKey);
        Assert.Null(registered.Error);
        Assert.Equal(Path.Combine(ClipFolder, $"{registered.EventId}", $"{registered.EventId}.mp4"), registered.VideoPath);
        Assert.Equal(Path.Combine(ClipFolder, $"{registered.EventId}", $"{registered.EventId}.jpg"), registered.ImagePath);
        Assert.InRange(registered.Timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var probe = FfmpegCli.Probe(registered.VideoPath!);
        Assert.Equal(("h264", "yuv420p", "10/1", 30), (probe.CodecName, probe.PixelFormat, probe.FrameRate, probe.FramesRead));
        Assert.Equal((640, 480), (probe.Width, probe.Height));
        Assert.InRange(probe.Duration, 2.9, 3.1);

        // The JPEG is frame_007 (gray 56), not the last frame (gray 232).
        using var image = Cv2.ImRead(registered.ImagePath!);
        Assert.Equal((640, 480), (image.Width, image.Height));
        Assert.InRange(Cv2.Mean(image).Val0, 50, 62);

        var snapshot = Snapshot(key);
        Assert.Equal(TaskState.Finished, snapshot.State);
        Assert.Equal(0, snapshot.FrameCount);
        Assert.Empty(snapshot.Registrations);
        Assert.Equal(0, Budget.UsedBytes);
    }

    [Fact]
    public void The_buffer_holds_compressed_packets_not_raw_frames()
    {
        var key = NewKey();
        SendFrames(key, 10, fill: i => (byte)(i * 20));

        var snapshot = AwaitEncodedIn(key, 10);

        // Ten raw 640x480 frames are 9.2 MB; their packets a tiny fraction of that.
        Assert.InRange(snapshot.BufferedBytes, 1, 10L * 640 * 480 * 3 / 20);
        Assert.Equal(snapshot.BufferedBytes, Budget.UsedBytes);
    }

    [Fact]
    public void A_registration_without_frames_ends_in_ERROR_with_the_reason()
    {
        var key = NewKey();
        _region.Tell(new RegisterTask(key, """{"model":"m"}"""), TestActor);
        var registered = ExpectMsg<EventRegistered>();
        Assert.Null(registered.VideoPath);
        Assert.Contains("no frames", registered.Error);
        Assert.Equal(TaskState.Error, Snapshot(key).State);
        Assert.Empty(Directory.EnumerateFileSystemEntries(ClipFolder));
    }

    [Fact]
    public void Frames_that_keep_arriving_during_a_registration_make_the_next_clip_which_starts_on_a_keyframe()
    {
        var key = NewKey();
        SendFrames(key, 12, fill: i => (byte)(i * 10));
        _region.Tell(new RegisterTask(key, """{"cycle":1}"""), TestActor);
        // No wait: the camera goes on at once, while the first clip is written.
        for (var i = 0; i < 8; i++) _region.Tell(Frame(key, 640, 480, fill: (byte)(200 + i), id: $"next_{i}"), TestActor);
        _region.Tell(new RegisterTask(key, """{"cycle":2}"""), TestActor);

        var answers = ReceiveN(8 + 2);
        Assert.Equal(8, answers.OfType<Accepted>().Count());
        var events = answers.OfType<EventRegistered>().ToArray();
        Assert.Equal(2, events.Length);
        Assert.All(events, e => Assert.Null(e.Error));
        var frames = events.Select(e => FfmpegCli.Probe(e.VideoPath!).FramesRead).Order().ToArray();
        Assert.Equal([8, 12], frames);
        foreach (var registered in events)
        {
            var decoded = FfmpegCli.Frames(registered.VideoPath!);
            Assert.True(decoded[0].Key);
            Assert.Equal(0, decoded[0].PtsTime, 3);
        }
        Assert.Equal(0, Snapshot(key).RejectedCommands);
        Assert.Equal(0, Budget.UsedBytes);
    }

    private void SendFrames(string key, int count, Func<int, byte> fill)
    {
        for (var i = 0; i < count; i++) _region.Tell(Frame(key, 640, 480, fill: fill(i), id: $"frame_{i:000}"), TestActor);
        for (var i = 0; i < count; i++) ExpectMsg<Accepted>();
    }

    private TaskSnapshot AwaitEncodedIn(string key, int frames)
    {
        TaskSnapshot? snapshot = null;
        AwaitAssert(() =>
        {
            _region.Tell(new TaskQueries.GetTask(key), TestActor);
            snapshot = ExpectMsg<TaskSnapshot>();
            Assert.Equal((frames, 0), (snapshot.FrameCount, snapshot.FramesPending));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        return snapshot!;
    }

    private new TaskSnapshot Snapshot(string key)
    {
        _region.Tell(new TaskQueries.GetTask(key), TestActor);
        return ExpectMsg<TaskSnapshot>();
    }
}

/// <summary>The real encoder with a GOP of 10 frames and room for 20: the oldest whole GOP goes, the clip still plays from a keyframe.</summary>
public sealed class TaskRegistrationGopSpec : ShardedTaskSpec
{
    private readonly IActorRef _region;

    public TaskRegistrationGopSpec(ITestOutputHelper output) : base(output, """
        akka.test.single-expect-default = 30s
        registrator.task.max-frames = 20
        registrator.media.keyint = 10
        """) =>
        _region = StartRegion(StartEncoderPool());

    [Fact]
    public void Past_max_frames_the_clip_keeps_the_newest_whole_GOPs_and_starts_on_a_keyframe()
    {
        var key = NewKey();
        for (var i = 0; i < 25; i++) _region.Tell(Frame(key, 64, 48, fill: (byte)(i * 9), id: $"f{i}"), TestActor);
        for (var i = 0; i < 25; i++) ExpectMsg<Accepted>();
        AwaitAssert(() =>
        {
            _region.Tell(new TaskQueries.GetTask(key), TestActor);
            var snapshot = ExpectMsg<TaskSnapshot>();
            Assert.Equal((15, 0, 10L, 1L), (snapshot.FrameCount, snapshot.FramesPending, snapshot.FramesDropped, snapshot.GopsDropped));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));

        _region.Tell(new RegisterTask(key, "{}"), TestActor);
        var registered = ExpectMsg<EventRegistered>();

        Assert.Null(registered.Error);
        var frames = FfmpegCli.Frames(registered.VideoPath!);
        Assert.Equal(15, frames.Count);
        Assert.Equal([0, 10], frames.Select((f, i) => (f, i)).Where(x => x.f.Key).Select(x => x.i));
        Assert.Equal(0, frames[0].PtsTime, 3);
        Assert.Equal(1.4, frames[^1].PtsTime, 3);
    }
}
