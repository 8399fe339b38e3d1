using Registrator.Actors.Configuration;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// The bounds: <c>max-frames</c> per task and the node's <c>max-buffer-bytes</c> drop the task's oldest whole GOPs
/// (counted, visible in the snapshot), never the GOP being built; one frame size per cycle; <c>max-statuses</c>.
/// </summary>
public sealed class TaskBehaviorBoundsSpec
{
    private static BehaviorHarness WithMaxFrames(int maxFrames) =>
        new(RegistratorSettings.Defaults.Task with { MaxFrames = maxFrames, Trigger = RegistratorSettings.Defaults.Task.Trigger with { Window = false } }) { KeyframeInterval = 10 };

    [Fact]
    public void With_max_frames_30_and_a_keyframe_every_10_the_31st_packet_drops_the_oldest_whole_gop()
    {
        var task = WithMaxFrames(30);
        task.Frames(31);

        for (var i = 0; i < 30; i++)
        {
            task.Encode(1);
            Assert.Equal(i + 1, task.State.Frames.Count);
        }
        Assert.Equal(3, task.State.Frames.Gops.Count);
        Assert.Equal(0, task.State.Counters.FramesDropped);

        task.Encode(1); // the 31st packet is a keyframe: a fourth GOP starts, the first goes

        var frames = task.State.Frames;
        Assert.Equal(21, frames.Count);
        Assert.Equal(3, frames.Gops.Count);
        Assert.Equal("f10", frames.Gops[0].Frames[0].FrameId);
        Assert.True(frames.Gops[0].Frames[0].Packet.IsKeyframe);
        Assert.Equal(21 * task.PacketBytes, frames.Bytes);
        Assert.Equal((10L, 1L, 0L), (task.State.Counters.FramesDropped, task.State.Counters.GopsDropped, task.State.Counters.FramesBudgetDropped));
        var snapshot = task.Snapshot();
        Assert.Equal((21, 10L, 1L), (snapshot.FrameCount, snapshot.FramesDropped, snapshot.GopsDropped));
    }

    [Fact]
    public void The_frame_count_never_exceeds_max_frames()
    {
        var task = WithMaxFrames(30);
        task.Frames(100);

        for (var i = 0; i < 100; i++)
        {
            task.Encode(1);
            Assert.InRange(task.State.Frames.Count, 1, 30);
        }

        Assert.Equal(70, task.State.Counters.FramesDropped);
        Assert.Equal(7, task.State.Counters.GopsDropped);
        Assert.All(task.State.Frames.Gops, g => Assert.True(g.Frames[0].Packet.IsKeyframe));
    }

    [Fact]
    public void Under_the_node_budget_packets_push_the_tasks_own_oldest_whole_gops_out()
    {
        var task = WithMaxFrames(300);
        task.NodeBudget = 25 * task.PacketBytes; // room for 25 packets on the node
        task.Frames(30);

        for (var i = 0; i < 30; i++)
        {
            task.Encode(1);
            Assert.InRange(task.State.HeldBytes, 0, task.NodeBudget);
        }

        // the 26th packet (the 6th of the third GOP) found no room: the first GOP went
        var counters = task.State.Counters;
        Assert.Equal((10L, 1L, 10L), (counters.FramesDropped, counters.GopsDropped, counters.FramesBudgetDropped));
        Assert.Equal(20, task.State.Frames.Count);
        Assert.Equal(["f10", "f20"], task.State.Frames.Gops.Select(g => g.Frames[0].FrameId));
    }

    [Fact]
    public void Under_the_node_budget_the_gop_being_built_is_never_dropped()
    {
        var task = WithMaxFrames(300);
        task.NodeBudget = 5 * task.PacketBytes;
        task.Frames(12);

        task.Encode(10); // one GOP of 10 frames, more than the budget, but still being built

        Assert.Equal(10, task.State.Frames.Count);
        Assert.Equal(0, task.State.Counters.FramesDropped);

        task.Encode(1); // a keyframe closes that GOP: now it is whole, and it goes

        Assert.Equal(1, task.State.Frames.Count);
        Assert.Equal((10L, 1L, 10L), (task.State.Counters.FramesDropped, task.State.Counters.GopsDropped, task.State.Counters.FramesBudgetDropped));
        Assert.False(task.State.Frames.DiscardUntilKeyframe);
        Assert.False(task.State.Frames.ForceKeyframeNext); // the new GOP is intact: nothing needs a fresh keyframe
        task.Encode(1);
        Assert.Equal(2, task.State.Frames.Count);
        task.Frame("after");
        Assert.False(task.EncodeJobs[^1].ForceKeyframe);
    }

    [Fact]
    public void A_gop_dropped_while_being_built_discards_its_dependents_until_the_next_keyframe_and_forces_one()
    {
        var task = WithMaxFrames(5); // fewer than a GOP: the GOP being built has to go
        task.Frames(8);

        task.Encode(6);
        Assert.Equal(0, task.State.Frames.Count);
        Assert.Equal((6L, 1L), (task.State.Counters.FramesDropped, task.State.Counters.GopsDropped));
        Assert.True(task.State.Frames.DiscardUntilKeyframe);
        Assert.True(task.State.Frames.ForceKeyframeNext);

        task.Encode(2); // the two frames still at the encoder depend on the dropped GOP
        Assert.Equal(0, task.State.Frames.Count);
        Assert.Equal(8, task.State.Counters.FramesDropped);

        task.Frame("fresh");
        var job = task.EncodeJobs[^1];
        Assert.True(job.ForceKeyframe);
        Assert.False(task.State.Frames.ForceKeyframeNext);

        task.Encode(1);
        Assert.Equal(1, task.State.Frames.Count);
        Assert.True(task.State.Frames.Gops[0].Frames[0].Packet.IsKeyframe);
        Assert.False(task.State.Frames.DiscardUntilKeyframe);
    }

    [Fact]
    public void A_frame_waiting_in_the_reorder_window_without_room_on_the_node_is_rejected_and_changes_nothing()
    {
        var task = TaskLifecycleTableSpec.In(LifecycleColumn.Finished);
        task.NodeBudget = 10; // less than one raw 4×2 frame (24 bytes)
        var before = task.State;

        var outcome = task.Send(task.FrameCommand("big", BehaviorHarness.Start.ToUnixTimeSeconds() + 100));

        var rejected = Assert.IsType<Rejected>(outcome.Reply);
        Assert.Contains("node frame buffer full", rejected.Reason);
        Assert.Equal(TaskState.Finished, rejected.State);
        Assert.Equal(before with { Counters = before.Counters with { Rejected = before.Counters.Rejected + 1 } }, task.State);
    }

    [Fact]
    public void A_frame_of_another_size_is_rejected_within_a_cycle_and_accepted_in_the_next()
    {
        var task = new BehaviorHarness();
        task.Frame("small");
        var before = task.State;

        var other = task.Send(task.FrameCommand("big", width: 8, height: 2));

        var rejected = Assert.IsType<Rejected>(other.Reply);
        Assert.Contains("does not match", rejected.Reason);
        Assert.Equal(before with { Counters = before.Counters with { Rejected = 1 } }, task.State);

        task.Register();
        var next = task.Frame("big", width: 8, height: 2);

        Assert.Equal(new Accepted(task.Key, TaskState.Created), next.Reply);
        Assert.Equal(before.Cycle + 1, task.State.Cycle);
        Assert.Equal((8, 2), (task.State.Frames.Width, task.State.Frames.Height));
        Assert.Equal((8, 2), (task.EncodeJobs[^1].Width, task.EncodeJobs[^1].Height));
        task.FinishClips();
        Assert.Equal((4, 2), (task.Clips.Single().Width, task.Clips.Single().Height)); // the registration keeps its own size
    }

    [Theory]
    [InlineData(0, 2, 0)]
    [InlineData(4, 0, 0)]
    [InlineData(4, 2, 23)]
    [InlineData(8193, 1, 3 * 8193)]
    public void A_frame_with_a_bad_size_or_pixel_count_is_rejected(int width, int height, int pixels)
    {
        var task = new BehaviorHarness();

        var outcome = task.Send(new TaskCommands.AddFrame(task.Key, width, height, new byte[pixels]));

        Assert.IsType<Rejected>(outcome.Reply);
        Assert.Equal(LifecycleColumn.None, task.State.Column);
        Assert.Empty(outcome.Effects);
    }

    [Fact]
    public void The_status_list_keeps_the_newest_max_statuses_and_counts_the_dropped()
    {
        var task = new BehaviorHarness(RegistratorSettings.Defaults.Task with { MaxStatuses = 5, Trigger = RegistratorSettings.Defaults.Task.Trigger with { Window = false } });

        foreach (var flag in new[] { true, true, false, false, false, true, false }) task.Status(flag);

        Assert.Equal([false, false, false, true, false], task.State.Statuses.ToArray());
        Assert.Equal(2, task.State.Counters.StatusesDropped);
        Assert.Equal(2, task.Snapshot().StatusesDropped);
    }

    [Fact]
    public void A_registration_right_after_a_burst_still_holds_no_more_than_max_frames()
    {
        var task = WithMaxFrames(30);
        task.Frames(45);                 // all still at the encoder
        task.Register();                 // takes the cycle before any packet came back

        task.Encode();

        var clip = Assert.Single(task.Clips);
        Assert.Equal(25, clip.Packets.Count);
        Assert.True(clip.Packets[0].IsKeyframe);
        Assert.Equal(20L, clip.Packets[0].Pts);
        Assert.Equal((20L, 2L), (task.State.Counters.FramesDropped, task.State.Counters.GopsDropped));
    }

    [Fact]
    public void A_JPEG_frame_is_buffered_as_the_JPEG_it_is_and_one_larger_than_its_raw_size_is_rejected()
    {
        var task = new BehaviorHarness();
        var jpeg = new byte[10];

        var accepted = task.Send(new AddFrame(task.Key, BehaviorHarness.Width, BehaviorHarness.Height, jpeg, "j", null, FrameFormat.Jpeg));
        var tooLarge = task.Send(new AddFrame(task.Key, BehaviorHarness.Width, BehaviorHarness.Height, new byte[1000], "k", null, FrameFormat.Jpeg));

        Assert.IsType<Accepted>(accepted.Reply);
        var job = Assert.Single(task.EncodeJobs);
        Assert.Equal(FrameFormat.Jpeg, job.Format);
        Assert.Same(jpeg, job.Pixels);
        Assert.Contains("JPEG", Assert.IsType<Rejected>(tooLarge.Reply).Reason);
    }
}
