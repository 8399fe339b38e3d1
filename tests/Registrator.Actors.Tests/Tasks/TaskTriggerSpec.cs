using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>The window policy with the documentation's numbers: 30 statuses, more than 0.3 detections.</summary>
public sealed class TaskTriggerSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.trigger { policy = window, window = 30, ratio = 0.3 }")
{
    [Fact]
    public void Ten_detections_in_thirty_statuses_register_with_the_latest_message()
    {
        var key = NewKey();
        Accept(Frame(key));
        for (var i = 0; i < 30; i++)
            Accept(new AddStatus(key, i % 3 == 0, $$"""{"model":"yolo","frame_id":"f{{i}}"}"""));

        var job = Encoder.ExpectMsg<EncodeJob>();
        Assert.Equal(key, job.TaskKey);
        Assert.Equal("f29", job.KeyframeId);
        var snapshot = Snapshot(key);
        Assert.Equal(TaskState.Done, snapshot.State);
        Assert.True(snapshot.Registering);
        Assert.Equal("""{"model":"yolo","frame_id":"f29"}""", snapshot.LatestMessageJson);

        Encoder.Reply(new EncodeSucceeded(job.EventId, "/tmp/v.mp4", "/tmp/i.jpg", 1, TimeSpan.Zero));
        AwaitAssert(() => Assert.Equal(TaskState.Finished, Snapshot(key).State));

        // The next status starts a new cycle with a fresh window.
        Assert.Equal(TaskState.Pending, Accept(new AddStatus(key, true)).State);
        var next = Snapshot(key);
        Assert.Equal(1, next.Cycle);
        Assert.Equal([true], next.Statuses.ToArray());
    }

    [Fact]
    public void Exactly_thirty_percent_is_not_more_than_thirty_percent()
    {
        var key = NewKey();
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, i < 9));
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TaskState.Pending, Snapshot(key).State);
    }

    [Fact]
    public void Windows_are_counted_afresh_so_detections_of_a_quiet_window_do_not_carry_over()
    {
        var key = NewKey();
        for (var i = 0; i < 30; i++) Accept(new AddStatus(key, i < 9));   // 9 of 30: quiet
        for (var i = 0; i < 29; i++) Accept(new AddStatus(key, i < 9));   // 9 of 29 so far
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Accept(new AddStatus(key, true));                                    // 10 of 30: fires
        Assert.Equal(key, Encoder.ExpectMsg<EncodeJob>().TaskKey);
    }

    [Fact]
    public void The_pure_window_fires_only_on_its_boundary()
    {
        var trigger = new WindowTrigger(3, 0.3);
        (trigger, var fire) = trigger.Observe(true);
        Assert.False(fire);
        (trigger, fire) = trigger.Observe(false);
        Assert.False(fire);
        (trigger, fire) = trigger.Observe(false);
        Assert.True(fire);   // 1 of 3 > 0.9
        Assert.Equal(0, trigger.Seen);
    }
}

public sealed class TaskTriggerCooldownSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.trigger { policy = window, window = 2, ratio = 0.3, cooldown = 1h }")
{
    [Fact]
    public void A_window_that_fires_within_the_cooldown_does_not_register()
    {
        var key = NewKey();
        Accept(new AddStatus(key, true));
        Accept(new AddStatus(key, true));
        var job = Encoder.ExpectMsg<EncodeJob>();
        Encoder.Reply(new EncodeSucceeded(job.EventId, "/tmp/v.mp4", "/tmp/i.jpg", 1, TimeSpan.Zero));
        AwaitAssert(() => Assert.Equal(TaskState.Finished, Snapshot(key).State));

        Accept(new AddStatus(key, true));
        Accept(new AddStatus(key, true));
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TaskState.Pending, Snapshot(key).State);
    }
}
