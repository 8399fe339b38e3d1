using Registrator.Actors.Tests.Support;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// The node-wide frame budget over compressed packets: 100 bytes here, i.e. six of the encoder double's 16-byte packets
/// across all tasks, with a GOP of 2 frames so whole GOPs can go.
/// </summary>
public sealed class TaskMemoryBudgetSpec(ITestOutputHelper output) : ShardedTaskSpec(output, """
    registrator.task.max-buffer-bytes = 100
    registrator.media.keyint = 2
    """)
{
    [Fact]
    public void A_task_over_the_node_budget_drops_its_own_oldest_whole_GOPs()
    {
        var key = NewKey();
        for (var i = 0; i < 8; i++) Accept(Frame(key, id: $"f{i}"));
        var snapshot = AwaitEncoded(key, 6);
        Assert.Equal((2L, 1L), (snapshot.FramesDropped, snapshot.GopsDropped));
        Assert.Equal(6 * EncoderDouble.PacketBytes, snapshot.BufferedBytes);
        Assert.Equal(96, Budget.UsedBytes);
    }

    [Fact]
    public void Deleting_a_task_gives_its_bytes_back_to_the_node()
    {
        var (full, other) = (NewKey(), NewKey());
        for (var i = 0; i < 6; i++) Accept(Frame(full));
        AwaitEncoded(full, 6);

        Accept(new TaskCommands.DeleteTask(full));
        AwaitAssert(() => Assert.Equal(0, Budget.UsedBytes));

        for (var i = 0; i < 6; i++) Accept(Frame(other));
        Assert.Equal(0, AwaitEncoded(other, 6).FramesDropped);
    }
}

/// <summary>Raw frames waiting in the reorder window count against the budget too: 4×2 BGR is 24 bytes.</summary>
public sealed class TaskMemoryBudgetReorderSpec(ITestOutputHelper output) : ShardedTaskSpec(output, """
    registrator.task.max-buffer-bytes = 100
    registrator.task.reorder-window = 10s
    """)
{
    [Fact]
    public void A_waiting_frame_that_does_not_fit_is_rejected()
    {
        var (full, starved) = (NewKey(), NewKey());
        for (var i = 0; i < 4; i++) Accept(Frame(full));
        Assert.Equal(96, Budget.UsedBytes);

        var rejected = Ask<Rejected>(Frame(starved));
        Assert.Contains("node frame buffer full", rejected.Reason);
        Assert.Equal(0, Snapshot(starved).FramesPending);
    }
}
