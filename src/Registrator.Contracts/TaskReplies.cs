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
    /// Answer to <see cref="TaskQueries.GetTask"/>: the task's state, statuses and frame buffer, with the counters
    /// that make bounded buffers visible (frames and statuses dropped, commands rejected).
    /// </summary>
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
        string? LatestMessageJson) : ITaskMessage;
}
