using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Integration.Tests.Registration;

/// <summary>
/// The buffer bounds on real packets: <c>max-frames</c> per task and <c>max-buffer-bytes</c> per node drop the oldest
/// whole GOP, count it (FramesDropped, GopsDropped), and what is left is a clip that starts on a keyframe and decodes.
/// </summary>
public sealed class FrameBoundsSpec(ITestOutputHelper output) : PipelineSpec(output)
{
    private const int W = NumberedFrames.Width;
    private const int H = NumberedFrames.Height;

    [Fact]
    public async Task At_max_frames_the_oldest_whole_GOPs_are_dropped_and_counted_and_the_clip_keeps_the_newest_GOPs()
    {
        const string key = "camera-max-frames";
        var frames = NumberedFrames.Make(45);
        // max-frames 30, GOPs of 10: frame 30 pushes out GOP 0-9, frame 40 GOP 10-19; 20-44 stay.
        var pipeline = StartPipeline(s => WithKeyint(s, 10) with { Task = s.Task with { MaxFrames = 30 } });

        for (var i = 0; i < 45; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}"), TestActor);
        ExpectAccepted(45);
        var snapshot = await SettledAsync(pipeline.Region, key);
        Assert.Equal((25, 20L, 2L), (snapshot.FrameCount, snapshot.FramesDropped, snapshot.GopsDropped));
        Assert.Equal(snapshot.BufferedBytes, pipeline.Budget.UsedBytes);

        pipeline.Region.Tell(new RegisterTask(key, Message("f44")), TestActor);
        var clip = ClipOf(ExpectMsg<TaskEvents.EventRegistered>());
        Assert.Equal(Enumerable.Range(20, 25), Psnr.MatchedIndices(FfmpegCli.Decode(clip, W, H), frames));
        var probed = FfmpegCli.Frames(clip);
        Assert.Equal([0, 10, 20], probed.Select((f, i) => (f.Key, i)).Where(f => f.Key).Select(f => f.i));
        Assert.Equal(0.0, probed[0].PtsTime, 3);
        // The registration took the packets: the node's budget holds nothing once the clip is written.
        await AwaitAssertAsync(() => Assert.Equal(0, pipeline.Budget.UsedBytes), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task A_registration_right_after_a_burst_holds_no_more_than_max_frames()
    {
        const string key = "camera-burst";
        var frames = NumberedFrames.Make(45);
        var pipeline = StartPipeline(s => WithKeyint(s, 10) with { Task = s.Task with { MaxFrames = 30 } });

        for (var i = 0; i < 45; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}"), TestActor);
        // At once: frames still in the reorder window and at the encoder belong to this registration.
        pipeline.Region.Tell(new RegisterTask(key, Message("f44")), TestActor);
        ExpectAccepted(45);
        var clip = ClipOf(ExpectMsg<TaskEvents.EventRegistered>());

        var matched = Psnr.MatchedIndices(FfmpegCli.Decode(clip, W, H), frames);
        Assert.Equal(Enumerable.Range(45 - matched.Count, matched.Count), matched);   // the newest frames, in order
        Assert.True(FfmpegCli.Frames(clip)[0].Key);
        Assert.True(matched.Count <= 30, $"max-frames is 30, the clip has {matched.Count} frames (source frames {matched[0]}..{matched[^1]})");
    }

    [Fact]
    public async Task At_the_node_budget_two_tasks_drop_their_own_oldest_whole_GOPs_and_each_clip_starts_on_a_keyframe()
    {
        const int sent = 60;
        string[] keys = ["camera-budget-a", "camera-budget-b"];
        var frames = keys.Select((_, k) => Enumerable.Range(0, sent).Select(i => NumberedFrames.Noisy(i, W, H, seed: k)).ToList()).ToList();
        var budget = new FrameMemoryBudget(400 * 1024);
        // No reorder window: only packets count against the budget (raw frames waiting in a window would too).
        var pipeline = StartPipeline(s => WithKeyint(s, 10) with { Task = s.Task with { ReorderWindow = TimeSpan.Zero } }, budget);

        for (var i = 0; i < sent; i++)
            for (var k = 0; k < keys.Length; k++)
                pipeline.Region.Tell(Frame(keys[k], frames[k][i], i * 0.1, $"f{i}"), TestActor);
        ExpectAccepted(sent * keys.Length);

        var snapshots = new List<TaskReplies.TaskSnapshot>();
        foreach (var key in keys) snapshots.Add(await SettledAsync(pipeline.Region, key));
        foreach (var s in snapshots)
            Output.WriteLine($"{s.TaskKey}: {s.FrameCount} frames, {s.BufferedBytes} bytes held, {s.FramesDropped} frames in {s.GopsDropped} GOPs dropped");
        Assert.True(snapshots.Sum(s => s.GopsDropped) > 0, $"no GOP dropped under a {budget.MaxBytes} byte budget");
        foreach (var s in snapshots)
        {
            Assert.Equal(sent, s.FrameCount + s.FramesDropped);                 // nothing lost uncounted
            Assert.True(s.FramesDropped >= s.GopsDropped);
            Assert.Equal(s.GopsDropped == 0, s.FramesDropped == 0);
            Assert.Equal((0L, 0L), (s.FramesSkipped, s.FramesLate));
        }
        Assert.Equal(snapshots.Sum(s => s.BufferedBytes), budget.UsedBytes);
        // A task never drops the GOP it is building to make room for the next P frame of it, so the node may be over
        // its budget by at most the GOP each task is building (estimated as an average GOP of that task).
        var building = snapshots.Sum(s => s.BufferedBytes * 10 / Math.Max(1, s.FrameCount));
        Assert.True(budget.UsedBytes <= budget.MaxBytes + building,
            $"{budget.UsedBytes} bytes held under a budget of {budget.MaxBytes} (+{building} for the GOPs being built)");

        for (var k = 0; k < keys.Length; k++)
        {
            var requester = CreateTestProbe();
            pipeline.Region.Tell(new RegisterTask(keys[k], Message($"f{sent - 1}")), requester.Ref);
            var clip = ClipOf(requester.ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(30)));
            var probed = FfmpegCli.Frames(clip);
            Assert.True(probed[0].Key, $"{keys[k]}: the clip does not start on a keyframe");
            Assert.Equal(snapshots[k].FrameCount, probed.Count);
            // What is left is the newest frames, contiguous (whole GOPs went from the front).
            var matched = Psnr.MatchedIndices(FfmpegCli.Decode(clip, W, H), frames[k], minDb: 20);
            Assert.Equal(Enumerable.Range(sent - matched.Count, matched.Count), matched);
        }
    }
}
