using System.Collections.Immutable;

namespace Registrator.Contracts;

/// <summary>Replies a task entity sends to the sender of a command or query.</summary>
public static class TaskReplies
{
    /// <summary>The command was applied (or was a no-op in this state); <paramref name="State"/> is the state after it.</summary>
    public sealed record Accepted(string TaskKey, TaskState State) : ITaskMessage;

    /// <summary>The command is not valid in <paramref name="State"/> or its input was bad; nothing changed. <paramref name="Reason"/> says why.</summary>
    public sealed record Rejected(string TaskKey, TaskState State, string Reason) : ITaskMessage;

    /// <summary>Answer to <see cref="TaskQueries.GetMostCommon"/>: <c>null</c> when the task has no statuses.</summary>
    public sealed record MostCommon(string TaskKey, bool? Value) : ITaskMessage;

    /// <summary>
    /// Answer to <see cref="TaskQueries.GetTask"/>: the task's state and its current cycle (statuses, buffered frames),
    /// the registrations in flight, and the counters that make bounded buffers visible.
    /// </summary>
    /// <param name="State">The lifecycle state; <see cref="TaskState.Done"/> both when stopped and right after a registration took the cycle.</param>
    /// <param name="FrameCount">Frames of the current cycle held as H.264 packets.</param>
    /// <param name="BufferedBytes">Bytes the task holds for its current cycle: compressed packets plus raw frames not yet encoded.</param>
    /// <param name="FramesDropped">Frames dropped to stay within <c>max-frames</c> or the node's <c>max-buffer-bytes</c> (whole GOPs).</param>
    /// <param name="Registering">True while at least one registration is in flight.</param>
    /// <param name="FramesPending">Frames received but not yet in the buffer: waiting in the reorder window or at the encoder.</param>
    /// <param name="GopsDropped">Whole GOPs dropped to stay within the bounds (their frames are in <paramref name="FramesDropped"/>).</param>
    /// <param name="FramesSkipped">Frames dropped because they came closer than 1/fps to the previous kept frame.</param>
    /// <param name="FramesLate">Frames dropped because their capture time was older than the reorder window allows.</param>
    /// <param name="Registrations">The registrations in flight, oldest first.</param>
    /// <param name="SettingsJson">The trigger settings in force for this task (its key's override, if any) as a JSON object.</param>
    /// <param name="IncidentJson">The open <c>span</c> incident as a JSON object (<c>event_id</c>, <c>start</c>, <c>last_detection</c>), or <c>null</c>.</param>
    public sealed record TaskSnapshot(
        string TaskKey,
        TaskState State,
        ImmutableArray<bool> Statuses,
        int FrameCount,
        int FrameWidth,
        int FrameHeight,
        long BufferedBytes,
        long FramesDropped,
        long StatusesDropped,
        long RejectedCommands,
        int Cycle,
        bool Registering,
        string? LatestMessageJson,
        int FramesPending = 0,
        long GopsDropped = 0,
        long FramesSkipped = 0,
        long FramesLate = 0,
        ImmutableArray<RegistrationInFlight> Registrations = default,
        string? SettingsJson = null,
        string? IncidentJson = null) : ITaskMessage;

    /// <summary>
    /// One registration of a <see cref="TaskSnapshot"/>: the event being written for cycle <paramref name="Cycle"/>,
    /// with <paramref name="FrameCount"/> frames; <paramref name="Stage"/> is <c>encoding</c> (the cycle's last frames are
    /// still at the encoder), <c>writing</c> (muxing the clip, writing the keyframe) or <c>recording</c> (the event store has it).
    /// </summary>
    public sealed record RegistrationInFlight(Guid EventId, int Cycle, int FrameCount, string Stage);
}
