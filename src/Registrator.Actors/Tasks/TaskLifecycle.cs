using Registrator.Contracts;

namespace Registrator.Actors.Tasks;

/// <summary>The kinds of command the lifecycle table has a row for.</summary>
public enum TaskCommandKind
{
    Create,
    AddStatus,
    AddFrame,
    ClearStatuses,
    Stop,
    Register,
    Delete,
}

/// <summary>What the table says to do with a command in a state.</summary>
public enum Verdict
{
    /// <summary>Carry out the command's effect and move to <see cref="LifecycleDecision.Next"/>.</summary>
    Apply,
    /// <summary>Valid, but nothing changes.</summary>
    NoOp,
    /// <summary>Not valid in this state: reply Rejected, change nothing.</summary>
    Reject,
}

/// <summary>One cell of the lifecycle table.</summary>
/// <param name="NewCycle">Drop the previous cycle's statuses and frames before applying the command.</param>
public sealed record LifecycleDecision(Verdict Verdict, TaskState Next, bool NewCycle = false, string? Reason = null);

/// <summary>
/// The task lifecycle as a pure function of (state, command), exactly DESIGN.md's table:
/// <code>
///                 CreateTask / AddFrame          AddStatus            StopTask        RegisterTask
///   (none) ────────────────────────► CREATED ───────────► PENDING ──────────► DONE ─────────────► FINISHED
///     │ AddStatus ──────────────────────────────────────────▲                  ▲   (clip failed) ─► ERROR
///     └──────────────────────────── RegisterTask ────────────┴──────────────────┘
///   FINISHED / ERROR ── CreateTask, AddStatus, AddFrame ──► new cycle (CREATED or PENDING)
///   DONE rejects CreateTask, AddStatus, AddFrame; FINISHED / ERROR reject RegisterTask; (none) rejects StopTask.
/// </code>
/// The actor applies the effects (append, buffer, encode, stop); this function only decides.
/// </summary>
public static class TaskLifecycle
{
    public static LifecycleDecision Decide(TaskState state, TaskCommandKind command) => command switch
    {
        TaskCommandKind.Create => state switch
        {
            TaskState.None => Apply(TaskState.Created),
            TaskState.Created or TaskState.Pending => NoOp(state),
            TaskState.Done => Reject(state, "task is DONE: it cannot be re-created until it is registered"),
            _ => NewCycle(TaskState.Created),
        },
        TaskCommandKind.AddStatus => state switch
        {
            TaskState.None or TaskState.Created or TaskState.Pending => Apply(TaskState.Pending),
            TaskState.Done => Reject(state, "task is DONE: statuses are no longer accepted"),
            _ => NewCycle(TaskState.Pending),
        },
        TaskCommandKind.AddFrame => state switch
        {
            TaskState.None => Apply(TaskState.Created),
            TaskState.Created or TaskState.Pending => Apply(state),
            TaskState.Done => Reject(state, "task is DONE: frames are no longer accepted"),
            _ => NewCycle(TaskState.Created),
        },
        TaskCommandKind.ClearStatuses => state == TaskState.None ? NoOp(state) : Apply(state),
        TaskCommandKind.Stop => state switch
        {
            TaskState.None => Reject(state, "task does not exist: create it or add a status or frame first"),
            TaskState.Created or TaskState.Pending => Apply(TaskState.Done),
            _ => NoOp(state),
        },
        TaskCommandKind.Register => state switch
        {
            TaskState.Finished or TaskState.Error =>
                Reject(state, $"task is already {state.ToString().ToUpperInvariant()}: start a new cycle (CreateTask, AddStatus or AddFrame) first"),
            _ => Apply(TaskState.Done),
        },
        TaskCommandKind.Delete => state == TaskState.None ? NoOp(state) : Apply(TaskState.None),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown command kind"),
    };

    private static LifecycleDecision Apply(TaskState next) => new(Verdict.Apply, next);
    private static LifecycleDecision NoOp(TaskState state) => new(Verdict.NoOp, state);
    private static LifecycleDecision NewCycle(TaskState next) => new(Verdict.Apply, next, NewCycle: true);
    private static LifecycleDecision Reject(TaskState state, string reason) => new(Verdict.Reject, state, Reason: reason);
}
