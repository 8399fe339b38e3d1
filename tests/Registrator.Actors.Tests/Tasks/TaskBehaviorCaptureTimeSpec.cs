using Registrator.Actors.Tasks;
using Xunit;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// Capture time: frames are put in capture order within the reorder window (1 s) before they reach the encoder, and
/// their pts follow capture time on the clip's 10 fps grid.
/// </summary>
public sealed class TaskBehaviorCaptureTimeSpec
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>A frame arrives at its capture time plus <paramref name="delay"/>, or at once when it was overtaken (the clock never goes back).</summary>
    private static void Arrive(BehaviorHarness task, double captured, double delay = 0.05)
    {
        var arrival = BehaviorHarness.Start + TimeSpan.FromSeconds(captured + delay);
        if (arrival > task.Now) task.Now = arrival;
        Assert.IsType<Accepted>(task.CapturedFrame(captured).Reply);
    }

    /// <summary>Time passes until every waiting frame has waited a whole window.</summary>
    private static void ReleaseAll(BehaviorHarness task)
    {
        task.Now += Window;
        task.Send(ReleaseReorderedFrames.Instance);
        Assert.Empty(task.State.Frames.Pending);
    }

    [Fact]
    public void Shuffled_frames_inside_the_reorder_window_reach_the_encoder_in_capture_order_with_increasing_pts()
    {
        var task = new BehaviorHarness();
        double[] arrival = [0.1, 0.0, 0.3, 0.2, 0.6, 0.4, 0.5, 0.9, 0.7, 0.8, 1.0, 1.2, 1.1, 1.5, 1.3, 1.4];

        for (var i = 0; i < arrival.Length; i++)
        {
            task.Now = BehaviorHarness.Start + TimeSpan.FromSeconds(0.05 + 0.1 * i);
            Assert.IsType<Accepted>(task.CapturedFrame(arrival[i]).Reply);
        }
        ReleaseAll(task);

        var jobs = task.EncodeJobs;
        Assert.Equal(arrival.Order().Select(t => $"t{t:F3}"), jobs.Select(j => j.FrameId));
        Assert.Equal(Enumerable.Range(0, arrival.Length).Select(i => (long)i), jobs.Select(j => j.Pts));
        Assert.True(jobs[0].ForceKeyframe);
        Assert.Equal(0, task.State.Counters.FramesLate);
        Assert.Equal(0, task.State.Counters.FramesSkipped);
    }

    [Fact]
    public void The_first_frame_to_arrive_need_not_be_the_first_captured_and_pts_start_at_zero()
    {
        var task = new BehaviorHarness();

        Arrive(task, 0.3);
        Arrive(task, 0.1);
        Arrive(task, 0.2);
        ReleaseAll(task);

        Assert.Equal([0L, 1, 2], task.EncodeJobs.Select(j => j.Pts));
    }

    [Fact]
    public void A_25_fps_capture_becomes_a_10_fps_clip_at_real_speed()
    {
        var task = new BehaviorHarness();

        for (var i = 0; i <= 50; i++) Arrive(task, i * 0.04); // 2 s at 25 fps
        ReleaseAll(task);

        var pts = task.EncodeJobs.Select(j => j.Pts).ToArray();
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (long)i), pts); // one frame per 1/10 s tick
        Assert.Equal(20, pts[^1]); // 2 s × 10 fps
        Assert.Equal(51 - 21, task.State.Counters.FramesSkipped);
        Assert.Equal(30, task.Snapshot().FramesSkipped);
    }

    [Fact]
    public void A_pause_in_capture_stays_a_gap_in_pts()
    {
        var task = new BehaviorHarness();

        for (var i = 0; i < 10; i++) Arrive(task, i * 0.1);
        for (var i = 0; i < 10; i++) Arrive(task, 5 + i * 0.1);
        ReleaseAll(task);

        Assert.Equal(
            Enumerable.Range(0, 10).Concat(Enumerable.Range(50, 10)).Select(i => (long)i),
            task.EncodeJobs.Select(j => j.Pts));
    }

    [Fact]
    public void A_frame_captured_before_the_newest_minus_the_window_is_rejected_and_counted_late()
    {
        var task = new BehaviorHarness();
        Arrive(task, 5.0);
        var before = task.State;

        var stale = task.Send(task.FrameCommand("stale", BehaviorHarness.Start.ToUnixTimeSeconds() + 3.9));

        var rejected = Assert.IsType<Rejected>(stale.Reply);
        Assert.Contains("reorder window", rejected.Reason);
        Assert.Empty(stale.Effects);
        Assert.Equal(before with { Counters = before.Counters with { FramesLate = 1, Rejected = 1 } }, task.State);
        Assert.Equal(1, task.Snapshot().FramesLate);

        Arrive(task, 4.2); // inside the window: it still goes before the newest
        ReleaseAll(task);
        Assert.Equal(["t4.200", "t5.000"], task.EncodeJobs.Select(j => j.FrameId));
    }

    [Fact]
    public void A_frame_captured_before_one_already_sent_to_the_encoder_is_late_too()
    {
        var task = new BehaviorHarness();
        Arrive(task, 1.0);
        task.Now += Window;
        task.Send(ReleaseReorderedFrames.Instance); // 1.0 has waited a whole window: it is at the encoder
        Assert.Single(task.EncodeJobs);

        var late = task.Send(task.FrameCommand("late", BehaviorHarness.Start.ToUnixTimeSeconds() + 0.5));

        Assert.IsType<Rejected>(late.Reply);
        Assert.Equal(1, task.State.Counters.FramesLate);
        Assert.Single(task.EncodeJobs);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    [InlineData(0.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_capture_time_that_is_not_a_positive_unix_time_is_rejected(double captureTime)
    {
        var task = new BehaviorHarness();
        task.Create();
        var before = task.State;

        var outcome = task.Send(task.FrameCommand("bad", captureTime));

        var rejected = Assert.IsType<Rejected>(outcome.Reply);
        Assert.Contains("capture time", rejected.Reason);
        Assert.Empty(outcome.Effects);
        Assert.Equal(before with { Counters = before.Counters with { Rejected = 1 } }, task.State);
    }

    [Fact]
    public void Frames_without_capture_time_go_to_the_encoder_at_once_in_arrival_order()
    {
        var task = new BehaviorHarness();

        var first = task.Frame("a");
        var second = task.Frame("b");

        Assert.Equal(["a"], first.Effects.OfType<TaskEffect.Encode>().Select(e => e.Job.FrameId));
        Assert.Equal(["b"], second.Effects.OfType<TaskEffect.Encode>().Select(e => e.Job.FrameId));
        Assert.Equal([0L, 1], task.EncodeJobs.Select(j => j.Pts));
        Assert.Empty(task.State.Frames.Pending);
        Assert.Equal(2, task.Snapshot().FramesPending); // at the encoder
    }

    [Fact]
    public void Release_reordered_frames_releases_the_frames_that_waited_a_whole_window()
    {
        var task = new BehaviorHarness();
        Arrive(task, 0.0, delay: 0);
        Arrive(task, 0.3, delay: 0);
        Assert.Empty(task.EncodeJobs);
        Assert.Equal(2, task.Snapshot().FramesPending);

        task.Now = BehaviorHarness.Start + TimeSpan.FromSeconds(0.9);
        Assert.Empty(task.Send(ReleaseReorderedFrames.Instance).Effects);

        task.Now = BehaviorHarness.Start + TimeSpan.FromSeconds(1.0);
        var released = task.Send(ReleaseReorderedFrames.Instance);
        Assert.Equal(["t0.000"], released.Effects.OfType<TaskEffect.Encode>().Select(e => e.Job.FrameId));

        task.Now = BehaviorHarness.Start + TimeSpan.FromSeconds(1.3);
        released = task.Send(ReleaseReorderedFrames.Instance);
        Assert.Equal(["t0.300"], released.Effects.OfType<TaskEffect.Encode>().Select(e => e.Job.FrameId));
        Assert.Equal([0L, 3], task.EncodeJobs.Select(j => j.Pts));
        Assert.Empty(task.State.Frames.Pending);
    }

    [Fact]
    public void Register_task_flushes_the_waiting_frames_into_the_registered_cycle()
    {
        var task = new BehaviorHarness();
        Arrive(task, 0.0);
        Arrive(task, 0.2);
        Arrive(task, 0.1);
        Assert.Empty(task.EncodeJobs);

        var register = task.Register();

        var registration = Assert.Single(task.State.Registrations);
        var flushed = register.Effects.OfType<TaskEffect.Encode>().Select(e => e.Job).ToList();
        Assert.Equal(["t0.000", "t0.100", "t0.200"], flushed.Select(j => j.FrameId));
        Assert.All(flushed, j => Assert.Equal(registration.Cycle, j.Cycle));
        Assert.Equal(3, registration.Frames.InFlight);
        Assert.Empty(task.State.Frames.Pending);

        Arrive(task, 0.3); // the next cycle: the capture clock goes on
        task.Encode();
        ReleaseAll(task);
        task.Encode();

        var clip = Assert.Single(task.Clips);
        Assert.Equal([0L, 1, 2], clip.Packets.Select(p => p.Pts));
        Assert.Equal(registration.Cycle + 1, task.State.Cycle);
        Assert.Equal(3L, task.EncodeJobs[^1].Pts);
        Assert.Equal(1, task.State.Frames.Count);
    }

    [Fact]
    public void The_window_trigger_flushes_the_waiting_frames_too()
    {
        var task = new BehaviorHarness(BehaviorHarness.WindowSettings(window: 2, ratio: 0.3));
        Arrive(task, 0.0);
        Arrive(task, 0.1);
        task.Status(true);

        var fired = task.Status(true);

        var registration = Assert.Single(task.State.Registrations);
        Assert.Equal(2, fired.Effects.OfType<TaskEffect.Encode>().Count());
        Assert.Equal(2, registration.Frames.InFlight);
    }

    [Fact]
    public void A_burst_of_frames_without_capture_time_keeps_every_frame_on_consecutive_ticks()
    {
        var task = new BehaviorHarness();

        for (var i = 0; i < 30; i++) Assert.IsType<Accepted>(task.Send(task.FrameCommand($"b{i}")).Reply); // all at one instant

        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), task.EncodeJobs.Select(j => j.Pts));
        Assert.Equal(0, task.State.Counters.FramesSkipped);
    }
}
