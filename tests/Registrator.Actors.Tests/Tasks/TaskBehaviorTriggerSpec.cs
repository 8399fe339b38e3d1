using Akka.Actor;
using Registrator.Actors.Tasks;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// The cumulative window trigger (policy <c>window</c>, 30 statuses, ratio 0.3): checked at every 30th status, over all
/// statuses since the task's last event, firing when detections are more than 30% of them.
/// </summary>
public sealed class TaskBehaviorTriggerSpec
{
    private static BehaviorHarness NewTask()
    {
        var task = new BehaviorHarness(BehaviorHarness.WindowSettings(window: 30, ratio: 0.3));
        task.Frames(3); // a cycle with frames, so a registration has a clip to write
        return task;
    }

    /// <summary>Feeds a window of 30 statuses, the first <paramref name="detections"/> of them detections.</summary>
    private static void Window(BehaviorHarness task, int detections, int size = 30)
    {
        for (var i = 0; i < size; i++) task.Status(i < detections);
    }

    private static bool Fired(BehaviorHarness task) => task.Effects.OfType<TaskEffect.StartTimeout>().Any();

    [Fact]
    public void Three_then_ten_detections_in_two_windows_do_not_fire_at_sixty()
    {
        var task = NewTask();

        Window(task, 3);
        Window(task, 10);

        Assert.False(Fired(task)); // 13 of 60 is 21.7%
        Assert.Empty(task.State.Registrations);
        Assert.Equal(LifecycleColumn.Pending, task.State.Column);
        Assert.Equal((60, 13), (task.State.Trigger.Seen, task.State.Trigger.Detections));
    }

    [Fact]
    public void Fifteen_more_detections_in_the_third_window_fire_at_ninety_and_not_before()
    {
        var task = NewTask();
        Window(task, 3);
        Window(task, 10);

        // The 15 detections come first in the window: 28 of 75 is already more than 30%, but only every 30th status counts.
        for (var i = 0; i < 29; i++) task.Status(i < 15);
        Assert.False(Fired(task));

        var ninetieth = task.Status(false);

        Assert.Contains(ninetieth.Effects, e => e is TaskEffect.StartTimeout);
        var registration = Assert.Single(task.State.Registrations);
        Assert.Same(ActorRefs.Nobody, registration.ReplyTo); // the trigger asked: no requester to answer
        Assert.Equal(90, registration.StatusCount);
        Assert.Equal(LifecycleColumn.Registering, task.State.Column);
        Assert.Equal((90, 28), (task.State.Trigger.Seen, task.State.Trigger.Detections));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    public void Exactly_thirty_percent_does_not_fire(int windows)
    {
        var task = NewTask();

        for (var w = 0; w < windows; w++) Window(task, 9);

        Assert.False(Fired(task));
        Assert.Equal((30 * windows, 9 * windows), (task.State.Trigger.Seen, task.State.Trigger.Detections));
    }

    [Fact]
    public void One_detection_more_than_thirty_percent_fires_at_the_end_of_the_window()
    {
        var task = NewTask();

        Window(task, 10);

        Assert.True(Fired(task));
        Assert.Single(task.State.Registrations);
    }

    [Fact]
    public void After_firing_the_count_starts_afresh_with_the_next_cycle()
    {
        var task = NewTask();
        Window(task, 30);
        var first = Assert.Single(task.State.Registrations);

        // Cumulatively 35 of 60 would fire again; counted afresh, 5 of 30 does not.
        Window(task, 5);

        Assert.Single(task.State.Registrations);
        Assert.Equal((30, 5), (task.State.Trigger.Seen, task.State.Trigger.Detections));
        Assert.Equal(first.Cycle + 1, task.State.Cycle);
        Assert.Equal(30, task.State.Statuses.Count);

        // 10 of the next 30 (15 of 60 since the event) do not fire either; 10 of 30 in a fresh count would have.
        Window(task, 10);
        Assert.Single(task.State.Registrations);

        // 25 of 90 since the last event: still not more than 30%; 28 of 90 is.
        task.FinishClips();
        Window(task, 13);
        Assert.Equal(2, task.Effects.OfType<TaskEffect.StartTimeout>().Count());
        Assert.Equal(90, task.State.Registrations[^1].StatusCount);
    }

    [Fact]
    public void The_event_the_trigger_registers_carries_the_latest_message_and_the_cycle()
    {
        var task = NewTask();
        for (var i = 0; i < 30; i++)
            task.Status(i % 2 == 0, $$"""{"frame_id":"f{{i % 3}}","timestamp":{{1796000000 + i}}}""");
        var registration = Assert.Single(task.State.Registrations);

        task.FinishClips();

        var record = task.RecordOf(registration.EventId).Event;
        Assert.Equal("""{"frame_id":"f2","timestamp":1796000029}""", record.MessageJson);
        Assert.Equal(3, record.Statistics.FrameCount);
        Assert.Equal(30, record.Statistics.StatusCount);
        Assert.Equal(2, Assert.Single(task.Clips).KeyframeIndex); // frame_id "f2"
        Assert.Same(ActorRefs.Nobody, task.RecordOf(registration.EventId).ReplyTo);
    }

    [Fact]
    public void The_manual_policy_never_registers_by_itself()
    {
        var task = new BehaviorHarness();

        Window(task, 30);
        Window(task, 30);

        Assert.False(Fired(task));
        Assert.Equal(60, task.State.Statuses.Count);
    }

    [Fact]
    public void The_window_trigger_value_fires_only_at_multiples_of_the_window_and_resets_to_zero()
    {
        var trigger = new WindowTrigger(3, 0.5);
        var fires = new List<bool>();
        foreach (var detected in new[] { true, true, true, true, false, false })
        {
            bool fire;
            (trigger, fire) = trigger.Observe(detected);
            fires.Add(fire);
        }

        Assert.Equal([false, false, true, false, false, true], fires); // 3/3, then 4/6 > 50%
        Assert.Equal(new WindowTrigger(3, 0.5), trigger.Reset());
    }
}
