using Registrator.Actors.Metrics;

namespace Registrator.Actors.Tasks;

/// <summary>Keeps the node's frame budget and the metrics in step with what one step of a task held and dropped.</summary>
internal static class TaskAccounting
{
    public static void Account(FrameMemoryBudget budget, RegistratorMetrics metrics, TaskData before, TaskData after)
    {
        var held = after.HeldBytes - before.HeldBytes;
        if (held > 0) budget.Add(held);
        else if (held < 0) budget.Release(-held);
        var dropped = after.Counters.FramesDropped - before.Counters.FramesDropped;
        if (dropped > 0)
        {
            var byBudget = after.Counters.FramesBudgetDropped - before.Counters.FramesBudgetDropped;
            metrics.FramesDropped(byBudget, FrameDropReason.NodeBudget);
            metrics.FramesDropped(dropped - byBudget, FrameDropReason.MaxFrames);
            metrics.GopsDropped(after.Counters.GopsDropped - before.Counters.GopsDropped);
        }
        metrics.FramesDropped(after.Counters.FramesSkipped - before.Counters.FramesSkipped, FrameDropReason.Rate);
        metrics.FramesDropped(after.Counters.FramesLate - before.Counters.FramesLate, FrameDropReason.Late);
    }
}
