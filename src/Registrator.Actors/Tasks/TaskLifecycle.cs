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

/// <summary>
/// The columns of docs/design.md's lifecycle table. DONE has two: <see cref="Stopped"/> (StopTask's DONE, the owner stopped
/// the task) and <see cref="Registering"/> (a registration just took the cycle; the next command starts a new one).
/// </summary>
public enum LifecycleColumn
{
    None,
    Created,
    Pending,
    Stopped,
    Registering,
    Finished,
    Error,
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
/// <param name="NewCycle">Drop the previous cycle's statuses and frames (or leave them to the registration that took them) before applying the command.</param>
public sealed record LifecycleDecision(Verdict Verdict, TaskState Next, bool NewCycle = false, string? Reason = null);

/// <summary>
/// The task lifecycle as a pure function of (column, command), exactly docs/design.md's table:
/// <code>
///                 CreateTask / AddFrame          AddStatus            StopTask
///   (none) ────────────────────────► CREATED ───────────► PENDING ──────────► DONE (stopped)
///     │                                 │ RegisterTask       │ RegisterTask        │ RegisterTask
///     └──── RegisterTask ───────────────┴────────────────────┴─────────────────────┴──► DONE (registering)
///   DONE (registering) ── clip written ─► FINISHED / failed ─► ERROR   (unless a new cycle already began)
///   DONE (registering), FINISHED, ERROR ── CreateTask, AddStatus, AddFrame ──► new cycle (CREATED or PENDING)
///   DONE (stopped) rejects CreateTask, AddStatus, AddFrame; registering/FINISHED/ERROR reject RegisterTask;
///   (none) rejects StopTask.
/// </code>
/// The task applies the effects (append, buffer, register, stop); this function only decides.
/// </summary>
public static class TaskLifecycle
{
    public static LifecycleDecision Decide(LifecycleColumn column, TaskCommandKind command) => command switch
    {
        TaskCommandKind.Create => column switch
        {
            LifecycleColumn.None => Apply(TaskState.Created),
            LifecycleColumn.Created => NoOp(TaskState.Created),
            LifecycleColumn.Pending => NoOp(TaskState.Pending),
            LifecycleColumn.Stopped => Reject(column, "task is DONE (stopped): it cannot be re-created until it is registered"),
            _ => NewCycle(TaskState.Created),
        },
        TaskCommandKind.AddStatus => column switch
        {
            LifecycleColumn.None or LifecycleColumn.Created or LifecycleColumn.Pending => Apply(TaskState.Pending),
            LifecycleColumn.Stopped => Reject(column, "task is DONE (stopped): statuses are no longer accepted until it is registered"),
            _ => NewCycle(TaskState.Pending),
        },
        TaskCommandKind.AddFrame => column switch
        {
            LifecycleColumn.None => Apply(TaskState.Created),
            LifecycleColumn.Created => Apply(TaskState.Created),
            LifecycleColumn.Pending => Apply(TaskState.Pending),
            LifecycleColumn.Stopped => Reject(column, "task is DONE (stopped): frames are no longer accepted until it is registered"),
            _ => NewCycle(TaskState.Created),
        },
        TaskCommandKind.ClearStatuses => column switch
        {
            LifecycleColumn.None or LifecycleColumn.Registering => NoOp(StateOf(column)),
            _ => Apply(StateOf(column)),
        },
        TaskCommandKind.Stop => column switch
        {
            LifecycleColumn.None => Reject(column, "task does not exist: create it or add a status or frame first"),
            LifecycleColumn.Created or LifecycleColumn.Pending => Apply(TaskState.Done),
            _ => NoOp(StateOf(column)),
        },
        TaskCommandKind.Register => column switch
        {
            LifecycleColumn.Registering =>
                Reject(column, "this cycle is already being registered: add a status or frame to start the next one"),
            LifecycleColumn.Finished or LifecycleColumn.Error =>
                Reject(column, $"task is already {StateOf(column).ToString().ToUpperInvariant()}: start a new cycle (CreateTask, AddStatus or AddFrame) first"),
            _ => Apply(TaskState.Done),
        },
        TaskCommandKind.Delete => column == LifecycleColumn.None ? NoOp(TaskState.None) : Apply(TaskState.None),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown command kind"),
    };

    /// <summary>The state a column shows to clients.</summary>
    public static TaskState StateOf(LifecycleColumn column) => column switch
    {
        LifecycleColumn.None => TaskState.None,
        LifecycleColumn.Created => TaskState.Created,
        LifecycleColumn.Pending => TaskState.Pending,
        LifecycleColumn.Stopped or LifecycleColumn.Registering => TaskState.Done,
        LifecycleColumn.Finished => TaskState.Finished,
        LifecycleColumn.Error => TaskState.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "unknown column"),
    };

    /// <summary>The column a state reached by a command shows (DONE by a command is StopTask's DONE, never registering).</summary>
    public static LifecycleColumn ColumnOf(TaskState state) => state switch
    {
        TaskState.None => LifecycleColumn.None,
        TaskState.Created => LifecycleColumn.Created,
        TaskState.Pending => LifecycleColumn.Pending,
        TaskState.Done => LifecycleColumn.Stopped,
        TaskState.Finished => LifecycleColumn.Finished,
        TaskState.Error => LifecycleColumn.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown state"),
    };

    private static LifecycleDecision Apply(TaskState next) => new(Verdict.Apply, next);
    private static LifecycleDecision NoOp(TaskState state) => new(Verdict.NoOp, state);
    private static LifecycleDecision NewCycle(TaskState next) => new(Verdict.Apply, next, NewCycle: true);
    private static LifecycleDecision Reject(LifecycleColumn column, string reason) => new(Verdict.Reject, StateOf(column), Reason: reason);
}
