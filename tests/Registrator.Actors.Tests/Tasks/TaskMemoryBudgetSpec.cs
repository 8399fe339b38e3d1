using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>The node-wide frame budget: 100 bytes here, i.e. four 4×2 frames (24 bytes each) across all tasks.</summary>
public sealed class TaskMemoryBudgetSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.task.max-buffer-bytes = 100")
{
    [Fact]
    public void A_task_over_the_node_budget_drops_its_own_oldest_frames()
    {
        var key = NewKey();
        for (var i = 0; i < 6; i++) Accept(Frame(key, id: $"f{i}"));
        var snapshot = Snapshot(key);
        Assert.Equal(4, snapshot.FrameCount);
        Assert.Equal(2, snapshot.FramesDropped);
        Assert.Equal(96, Budget.UsedBytes);
    }

    [Fact]
    public void A_task_with_no_frames_of_its_own_is_rejected_when_others_hold_the_budget()
    {
        var (full, starved) = (NewKey(), NewKey());
        for (var i = 0; i < 4; i++) Accept(Frame(full));
        var rejected = Ask<Rejected>(Frame(starved));
        Assert.Contains("node frame buffer full", rejected.Reason);
        Assert.Equal(0, Snapshot(starved).FrameCount);

        Region.Tell(new TaskCommands.DeleteTask(full), TestActor);
        ExpectMsg<Accepted>();
        AwaitAssert(() => Assert.Equal(0, Budget.UsedBytes));
        Assert.Equal(TaskState.Created, Accept(Frame(starved)).State);
    }
}
