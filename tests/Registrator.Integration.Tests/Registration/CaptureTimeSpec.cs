using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Integration.Tests.Registration;

/// <summary>
/// Capture time (<see cref="AddFrame.CaptureTime"/>, NATS <c>Frame-Time</c>) through the real pipeline: frames that
/// arrive out of order inside the reorder window come out in capture order, the clip's timestamps follow capture time
/// on the 1/fps grid (a faster camera is thinned, not sped up), and bad or stale times are refused and counted
/// without harming the task.
/// </summary>
public sealed class CaptureTimeSpec(ITestOutputHelper output) : PipelineSpec(output)
{
    private const int W = NumberedFrames.Width;
    private const int H = NumberedFrames.Height;

    [Fact]
    public async Task Frames_shuffled_within_the_reorder_window_come_out_in_capture_order_with_capture_time_stamps()
    {
        const string key = "camera-jitter";
        var frames = NumberedFrames.Make(30);
        // 10 fps, with a 0.3 s pause after frame 19: a pause must stay a pause in the clip.
        double Captured(int i) => (i * 0.1) + (i >= 20 ? 0.3 : 0);
        var order = ShuffledWithinGroups(30, 5, new Random(1234));
        Assert.NotEqual(Enumerable.Range(0, 30), order);
        var pipeline = StartPipeline();

        foreach (var i in order) pipeline.Region.Tell(Frame(key, frames[i], Captured(i), $"f{i}"), TestActor);
        ExpectAccepted(30);
        pipeline.Region.Tell(new RegisterTask(key, Message("f29")), TestActor);
        var clip = ClipOf(ExpectMsg<TaskEvents.EventRegistered>());

        Assert.Equal(Enumerable.Range(0, 30), Psnr.MatchedIndices(FfmpegCli.Decode(clip, W, H), frames));
        var pts = FfmpegCli.Frames(clip).Select(f => f.PtsTime).ToList();
        Assert.Equal(30, pts.Count);
        for (var k = 0; k < 30; k++)
            Assert.True(Math.Abs(pts[k] - Captured(k)) < 0.002, $"clip frame {k} at {pts[k]:F3} s, captured at {Captured(k):F3} s");
        var snapshot = await SnapshotAsync(pipeline.Region, key);
        Assert.Equal((0L, 0L, 0L), (snapshot.FramesSkipped, snapshot.FramesLate, snapshot.RejectedCommands));
    }

    [Fact]
    public async Task A_25_fps_capture_becomes_a_10_fps_clip_of_the_same_length_with_the_extra_frames_skipped_and_counted()
    {
        const string key = "camera-25fps";
        const int sent = 100; // 4 s at 25 fps
        var frames = NumberedFrames.Make(sent);
        var pipeline = StartPipeline();

        for (var i = 0; i < sent; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.04, $"f{i}"), TestActor);
        ExpectAccepted(sent);
        pipeline.Region.Tell(new RegisterTask(key, Message("f99")), TestActor);
        var clip = ClipOf(ExpectMsg<TaskEvents.EventRegistered>());

        var probe = FfmpegCli.Probe(clip);
        Assert.Equal("10/1", probe.FrameRate);
        Assert.InRange(probe.FramesRead, 39, 42);
        var duration = ClipProbe.FormatDuration(clip);
        Assert.True(Math.Abs(duration - 4.0) <= 0.15, $"clip of {duration:F3} s for 4 s of capture");

        // The frames kept are those nearest each 0.1 s tick, in capture order, each shown at its capture time.
        var kept = Psnr.MatchedIndices(FfmpegCli.Decode(clip, W, H), frames);
        Assert.Equal(probe.FramesRead, kept.Count);
        Assert.Equal(kept.Order(), kept);
        Assert.Equal(kept.Count, kept.Distinct().Count());
        var pts = FfmpegCli.Frames(clip).Select(f => f.PtsTime).ToList();
        for (var k = 0; k < kept.Count; k++)
            Assert.True(Math.Abs(pts[k] - (kept[k] * 0.04)) <= 0.05 + 1e-9, $"source frame {kept[k]} (captured at {kept[k] * 0.04:F2} s) shown at {pts[k]:F3} s");

        var snapshot = await SnapshotAsync(pipeline.Region, key);
        Assert.Equal(sent - kept.Count, snapshot.FramesSkipped);
        Assert.InRange(snapshot.FramesSkipped, 57, 62);
        Assert.Equal((0L, 0L), (snapshot.FramesLate, snapshot.FramesDropped));
    }

    [Fact]
    public async Task Bad_and_stale_capture_times_are_rejected_and_counted_and_the_task_keeps_registering_good_clips()
    {
        const string key = "camera-bad-clock";
        var frames = NumberedFrames.Make(30);
        var pipeline = StartPipeline();

        for (var i = 0; i < 20; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}"), TestActor);
        ExpectAccepted(20);

        foreach (var bad in new[] { double.NaN, -5.0, double.PositiveInfinity })
        {
            pipeline.Region.Tell(new AddFrame(key, W, H, frames[3], "bad", bad), TestActor);
            Assert.Contains("capture time", ExpectMsg<TaskReplies.Rejected>().Reason, StringComparison.OrdinalIgnoreCase);
        }
        // Newest is 1.9 s: 0.5 s is older than the 1 s window allows.
        pipeline.Region.Tell(Frame(key, frames[5], 0.5, "stale"), TestActor);
        Assert.Contains("older than the reorder window", ExpectMsg<TaskReplies.Rejected>().Reason, StringComparison.Ordinal);

        for (var i = 20; i < 30; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}"), TestActor);
        ExpectAccepted(10);
        var before = await SettledAsync(pipeline.Region, key);
        Assert.Equal((30, 1L, 4L, TaskState.Created), (before.FrameCount, before.FramesLate, before.RejectedCommands, before.State));

        pipeline.Region.Tell(new RegisterTask(key, Message("f29")), TestActor);
        var clip = ClipOf(ExpectMsg<TaskEvents.EventRegistered>());
        Assert.Equal(Enumerable.Range(0, 30), Psnr.MatchedIndices(FfmpegCli.Decode(clip, W, H), frames));
        var probe = FfmpegCli.Probe(clip);
        Assert.Equal(("h264", "yuv420p", 30), (probe.CodecName, probe.PixelFormat, probe.FramesRead));
    }

    /// <summary>0 … count − 1, each run of <paramref name="group"/> consecutive numbers shuffled in place.</summary>
    private static List<int> ShuffledWithinGroups(int count, int group, Random random)
    {
        var order = new List<int>(count);
        for (var start = 0; start < count; start += group)
        {
            var run = Enumerable.Range(start, Math.Min(group, count - start)).ToArray();
            random.Shuffle(run);
            order.AddRange(run);
        }
        return order;
    }
}
