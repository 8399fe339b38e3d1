using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>The pure table, without an actor system: the decisions the actor relies on.</summary>
public sealed class TaskLifecycleSpec
{
    [Theory]
    [InlineData(TaskState.Finished, TaskCommandKind.Create, TaskState.Created)]
    [InlineData(TaskState.Error, TaskCommandKind.AddStatus, TaskState.Pending)]
    [InlineData(TaskState.Finished, TaskCommandKind.AddFrame, TaskState.Created)]
    public void A_finished_or_failed_task_starts_a_new_cycle(TaskState from, TaskCommandKind command, TaskState next)
    {
        var decision = TaskLifecycle.Decide(from, command);
        Assert.Equal(new LifecycleDecision(Verdict.Apply, next, NewCycle: true), decision);
    }

    [Theory]
    [InlineData(TaskState.Done, TaskCommandKind.Create)]
    [InlineData(TaskState.Done, TaskCommandKind.AddStatus)]
    [InlineData(TaskState.Done, TaskCommandKind.AddFrame)]
    [InlineData(TaskState.None, TaskCommandKind.Stop)]
    [InlineData(TaskState.Finished, TaskCommandKind.Register)]
    [InlineData(TaskState.Error, TaskCommandKind.Register)]
    public void Rejections_keep_the_state_and_say_why(TaskState from, TaskCommandKind command)
    {
        var decision = TaskLifecycle.Decide(from, command);
        Assert.Equal(Verdict.Reject, decision.Verdict);
        Assert.Equal(from, decision.Next);
        Assert.False(decision.NewCycle);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Theory]
    [InlineData(TaskState.None)]
    [InlineData(TaskState.Created)]
    [InlineData(TaskState.Pending)]
    [InlineData(TaskState.Done)]
    public void Registration_is_valid_until_the_task_is_registered_and_stops_it_first(TaskState from) =>
        Assert.Equal(new LifecycleDecision(Verdict.Apply, TaskState.Done), TaskLifecycle.Decide(from, TaskCommandKind.Register));

    [Fact]
    public void Statuses_keep_a_pending_task_pending_and_frames_keep_its_state() =>
        Assert.Equal(TaskState.Pending, TaskLifecycle.Decide(TaskState.Pending, TaskCommandKind.AddFrame).Next);

    [Theory]
    [InlineData(new[] { true, false, true }, true)]
    [InlineData(new[] { true, false }, true)]
    [InlineData(new[] { false, true }, false)]
    [InlineData(new[] { false, false, true, true, true }, true)]
    [InlineData(new[] { false }, false)]
    public void Most_common_follows_Python_Counter_ties_go_to_the_first_seen(bool[] statuses, bool expected) =>
        Assert.Equal(expected, MostCommonStatus.Of(statuses));

    [Fact]
    public void Most_common_of_no_statuses_is_no_value() => Assert.Null(MostCommonStatus.Of([]));
}
