using System.Collections.Immutable;
using Registrator.Contracts;

namespace Registrator.Actors.Tasks;

/// <summary>
/// A task's whole state as one immutable value: lifecycle, the current cycle (statuses, frames, trigger, latest
/// message), the capture clock, the registrations in flight and the counters. Changed only by
/// <see cref="TaskBehavior.Process"/>; it is what a task's next incarnation needs to carry on.
/// </summary>
public sealed record TaskData
{
    public required string Key { get; init; }
    public LifecycleColumn Column { get; init; } = LifecycleColumn.None;
    public TaskState State => TaskLifecycle.StateOf(Column);
    /// <summary>Cycles started since the task was created: a registration takes one, the next command starts another.</summary>
    public int Cycle { get; init; }
    public StatusHistory Statuses { get; init; } = StatusHistory.Empty;
    public required WindowTrigger Trigger { get; init; }
    /// <summary>The inference message an event of this cycle carries when the trigger registers it.</summary>
    public string? LatestMessageJson { get; init; }
    /// <summary>That message's <c>timestamp</c>, when it had one: an older message does not replace it.</summary>
    public double? LatestMessageTime { get; init; }
    public CycleFrames Frames { get; init; } = CycleFrames.Empty;
    public CaptureClock Clock { get; init; } = new();
    public ImmutableList<TaskRegistration> Registrations { get; init; } = [];
    public DateTimeOffset? LastTriggered { get; init; }
    /// <summary>The shard asked the entity to stop; it stops when the last registration is safe.</summary>
    public bool StopRequested { get; init; }
    public TaskCounters Counters { get; init; } = new();
    /// <summary>The <c>span</c> policy's open incident, window detections and capture clock.</summary>
    public SpanState Span { get; init; } = SpanState.Idle;

    /// <summary>Anything worth handing to the task's next incarnation: a lifecycle state, statuses, frames or an open incident.</summary>
    public bool HasContent => Column != LifecycleColumn.None || !Statuses.IsEmpty || Frames.Count > 0 || !Frames.Pending.IsEmpty || Span.Open is not null;

    /// <summary>
    /// Bytes this task holds against the node's budget: its cycle's packets and raw frames, and its registrations'
    /// packets. Read on every message, so it walks no list that is empty and allocates nothing.
    /// </summary>
    public long HeldBytes
    {
        get
        {
            var bytes = Frames.HeldBytes;
            if (Registrations.IsEmpty) return bytes;
            foreach (var registration in Registrations) bytes += registration.Frames.Bytes;
            return bytes;
        }
    }

    public static TaskData New(string key, TaskSettingsView settings) => new()
    {
        Key = key,
        Trigger = new WindowTrigger(settings.WindowSize, settings.Ratio),
    };
}

/// <summary>The two trigger numbers a new task needs (so tests build a <see cref="TaskData"/> without full settings).</summary>
public readonly record struct TaskSettingsView(int WindowSize, double Ratio);

/// <summary>
/// Capture time → clip time. Frame times are mapped onto a grid of 1/fps from the task's first frame
/// (<see cref="Epoch"/>): the tick is the frame's pts, one frame per tick is kept, so a 25 fps capture becomes a
/// 10 fps clip at real speed and a pause stays a pause.
/// </summary>
/// <param name="LastTick">The pts of the last frame sent to the encoder (strictly increasing).</param>
/// <param name="LastKeptTime">That frame's capture time.</param>
/// <param name="Newest">The newest capture time seen: frames older than it by more than the reorder window are late.</param>
public sealed record CaptureClock(double? Epoch = null, long LastTick = long.MinValue, double LastKeptTime = double.MinValue, double Newest = double.MinValue)
{
    public long TickOf(double captureTime, int fps) => (long)Math.Round((captureTime - (Epoch ?? captureTime)) * fps, MidpointRounding.AwayFromZero);
}

/// <summary>What a task dropped or refused, for the snapshot and the node's metrics.</summary>
public sealed record TaskCounters(
    long FramesDropped = 0,
    long GopsDropped = 0,
    long FramesSkipped = 0,
    long FramesLate = 0,
    long StatusesDropped = 0,
    long Rejected = 0,
    long FramesBudgetDropped = 0);
