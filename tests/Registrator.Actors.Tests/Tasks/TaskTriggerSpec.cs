using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// The window policy with the documentation's numbers, through the region: every 30 statuses, over all statuses since
/// the task's last event, register when more than 0.3 of them are detections.
/// </summary>
public sealed class TaskTriggerSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.trigger { policy = window, window = 30, ratio = 0.3 }")
{
    [Fact]
    public void Ten_detections_in_thirty_statuses_register_with_the_latest_message()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(TaskEvents.EventRegistered));
        var key = NewKey();
        AddFrames(key, 4);
        for (var i = 0; i < 30; i++)
            Accept(new AddStatus(key, i % 3 == 0, $$"""{"model":"yolo","frame_id":"f{{i / 10}}"}"""));

        var clip = ExpectClip(key);
        Assert.Equal(4, clip.Clip.Packets.Count);
        Assert.Equal(2, clip.Clip.KeyframeIndex); // the latest message names f2
        var snapshot = Snapshot(key);
        Assert.Equal(TaskState.Done, snapshot.State);
        Assert.True(snapshot.Registering);
        Assert.Equal("""{"model":"yolo","frame_id":"f2"}""", snapshot.LatestMessageJson);

        clip.Succeed();
        var registered = ExpectMsg<TaskEvents.EventRegistered>();
        Assert.Equal((key, clip.EventId, clip.VideoPath), (registered.TaskKey, registered.EventId, registered.VideoPath));
        Assert.Equal(TaskState.Finished, Snapshot(key).State);

        // The next status starts a new cycle with a fresh count.
        Assert.Equal(TaskState.Pending, Accept(new AddStatus(key, true)).State);
        var next = Snapshot(key);
        Assert.Equal(1, next.Cycle);
        Assert.Equal([true], next.Statuses.ToArray());
    }

    [Fact]
    public void Exactly_thirty_percent_is_not_more_than_thirty_percent()
    {
        var key = NewKey();
        AddFrames(key, 1);
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, i < 9));
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TaskState.Pending, Snapshot(key).State);
    }

    [Fact]
    public void The_window_counts_every_status_since_the_last_event_so_a_quiet_start_dilutes_later_detections()
    {
        var key = NewKey();
        AddFrames(key, 1);
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, false));      //  0 of 30
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, i < 10));     // 10 of 60: a window alone would fire
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(60, Snapshot(key).Statuses.Length);

        for (var i = 0; i < 29; i++) Accept(new AddStatus(key, true));       // 39 of 89: checked only at the 90th
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Accept(new AddStatus(key, false));                                   // 39 of 90 > 27: fires

        var clip = ExpectClip(key);
        Assert.Single(clip.Clip.Packets);
    }

    [Fact]
    public void Detections_of_an_earlier_window_still_count_at_the_next_check()
    {
        var key = NewKey();
        AddFrames(key, 1);
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, i < 9));   //  9 of 30: quiet
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, i < 10));  // 19 of 60 > 18: fires
        ExpectClip(key);
    }

    [Fact]
    public void The_trigger_fires_again_in_the_next_cycle_while_the_first_clip_is_still_being_written()
    {
        var key = NewKey();
        AddFrames(key, 2);
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, true));
        var first = ExpectClip(key);

        // The next cycle begins with the next frame; its own 30 statuses fire again.
        AddFrames(key, 3, idPrefix: "g");
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, true));
        var second = ExpectClip(key);

        Assert.Equal((2, 3), (first.Clip.Packets.Count, second.Clip.Packets.Count));
        Assert.Equal(2, Snapshot(key).Registrations.Length);
        first.Succeed();
        second.Succeed();
        AwaitAssert(() => Assert.Empty(Snapshot(key).Registrations));
        Assert.Equal(TaskState.Finished, Snapshot(key).State);
    }
}

public sealed class TaskTriggerCooldownSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.trigger { policy = window, window = 2, ratio = 0.3, cooldown = 1h }")
{
    [Fact]
    public void A_window_that_fires_within_the_cooldown_does_not_register()
    {
        var key = NewKey();
        AddFrames(key, 1);
        Accept(new AddStatus(key, true));
        Accept(new AddStatus(key, true));
        ExpectClip(key).Succeed();
        AwaitAssert(() => Assert.Equal(TaskState.Finished, Snapshot(key).State));

        Accept(new AddStatus(key, true));
        Accept(new AddStatus(key, true));
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TaskState.Pending, Snapshot(key).State);
    }
}
