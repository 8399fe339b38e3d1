namespace Registrator.Actors.Tasks;

/// <summary>How often a task's periodic timers tick, from the settings they serve.</summary>
internal static class TaskTimers
{
    /// <summary>Four checks per passivate-after: a task passivates within 1¼ × passivate-after of its last message.</summary>
    public static TimeSpan IdleCheckInterval(TimeSpan passivateAfter) =>
        passivateAfter / 4 > TimeSpan.FromMilliseconds(10) ? passivateAfter / 4 : TimeSpan.FromMilliseconds(10);

    /// <summary>Four releases per reorder window (at least 20 ms apart): a waiting frame leaves within 1¼ windows.</summary>
    public static TimeSpan ReorderInterval(TimeSpan reorderWindow) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, reorderWindow.Ticks / 4));

    /// <summary>Five ticks per post-roll, 50 ms to 1 s apart: a quiet camera's incident closes soon after its post-roll.</summary>
    public static TimeSpan SpanInterval(TimeSpan postRoll) =>
        TimeSpan.FromTicks(Math.Clamp(postRoll.Ticks / 5, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
}
