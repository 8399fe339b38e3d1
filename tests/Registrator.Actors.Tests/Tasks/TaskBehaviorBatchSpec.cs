using System.Collections.Immutable;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>A <see cref="StatusBatch"/> is taken exactly as its statuses one AddStatus at a time would be, and answered once.</summary>
public sealed class TaskBehaviorBatchSpec
{
    private static StatusBatch Batch(string key, params bool[] flags) =>
        new(key, [.. flags.Select((flag, i) => new BatchedStatus(flag, $$"""{"n":{{i}}}""", null))]);

    [Fact]
    public void A_batch_leaves_the_same_state_as_its_statuses_sent_one_by_one()
    {
        var flags = Enumerable.Range(0, 75).Select(i => i % 3 == 0).ToArray();
        var oneByOne = new BehaviorHarness(BehaviorHarness.WindowSettings(window: 30, ratio: 0.3));
        var batched = new BehaviorHarness(BehaviorHarness.WindowSettings(window: 30, ratio: 0.3));
        oneByOne.Frames(3);
        batched.Frames(3);

        for (var i = 0; i < flags.Length; i++) oneByOne.Status(flags[i], $$"""{"n":{{i}}}""");
        var answer = Assert.IsType<StatusBatchAnswer>(batched.Send(Batch(batched.Key, flags)).Reply);

        Assert.Equal(oneByOne.State.Statuses, batched.State.Statuses);
        Assert.Equal(oneByOne.State.Trigger, batched.State.Trigger);
        Assert.Equal(oneByOne.State.LatestMessageJson, batched.State.LatestMessageJson);
        Assert.Equal((75, 0), (answer.Accepted, answer.Rejected));
        Assert.Equal(TaskState.Pending, answer.State);
    }

    [Fact]
    public void A_window_trigger_that_fires_inside_a_batch_takes_the_cycle_there_and_the_rest_start_the_next()
    {
        var task = new BehaviorHarness(BehaviorHarness.WindowSettings(window: 30, ratio: 0.3));
        task.Frames(3);

        var outcome = task.Send(Batch(task.Key, [.. Enumerable.Repeat(true, 30), .. Enumerable.Repeat(false, 5)]));

        var registration = Assert.Single(task.State.Registrations);
        Assert.Equal(30, registration.StatusCount);
        // The event carries the message of the status that fired it; the next cycle's latest is the batch's last.
        Assert.Equal("""{"n":29}""", registration.MessageJson);
        Assert.Equal("""{"n":34}""", task.State.LatestMessageJson);
        Assert.Equal(5, task.State.Statuses.Count);
        Assert.Contains(outcome.Effects, e => e is TaskEffect.StartTimeout);
        Assert.Equal((35, 0), (((StatusBatchAnswer)outcome.Reply!).Accepted, ((StatusBatchAnswer)outcome.Reply!).Rejected));
    }

    [Fact]
    public void A_stopped_task_rejects_every_status_of_a_batch_and_says_why_once()
    {
        var task = new BehaviorHarness();
        task.Status(true);
        task.Send(new TaskCommands.StopTask(task.Key));

        var answer = Assert.IsType<StatusBatchAnswer>(task.Send(Batch(task.Key, true, false, true)).Reply);

        Assert.Equal((0, 3), (answer.Accepted, answer.Rejected));
        Assert.False(string.IsNullOrEmpty(answer.RejectReason));
        Assert.Single(task.State.Statuses);
    }

    [Fact]
    public void The_newest_message_by_timestamp_stays_the_latest_across_a_batch()
    {
        var task = new BehaviorHarness();
        ImmutableArray<BatchedStatus> statuses =
        [
            new(true, """{"timestamp":20}""", 20), new(true, """{"timestamp":10}""", 10), new(false, """{"timestamp":15}""", 15),
        ];

        task.Send(new StatusBatch(task.Key, statuses));

        Assert.Equal("""{"timestamp":20}""", task.State.LatestMessageJson);
    }
}
