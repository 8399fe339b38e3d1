namespace Registrator.Contracts;

/// <summary>
/// Commands sent by clients (other actors, the NATS bridge, the HTTP API) to one task entity through the
/// shard region. Each is answered with <see cref="TaskReplies.Accepted"/> or <see cref="TaskReplies.Rejected"/>
/// (RegisterTask with <see cref="TaskEvents.EventRegistered"/> or <see cref="TaskEvents.RegistrationFailed"/>),
/// and only when the sender is a real actor.
/// </summary>
public static class TaskCommands
{
    /// <summary>
    /// Creates the task (Python <c>create_task</c>). (none) → CREATED; CREATED/PENDING: no-op;
    /// DONE: rejected; FINISHED/ERROR: starts a new cycle in CREATED.
    /// </summary>
    public sealed record CreateTask(string TaskKey) : ITaskMessage;

    /// <summary>
    /// Appends a detection status (Python <c>add_task(key, flag)</c>). (none)/CREATED → PENDING;
    /// PENDING: appends; DONE: rejected; FINISHED/ERROR: new cycle in PENDING with this status.
    /// The list is bounded by <c>registrator.task.max-statuses</c> (oldest dropped, counted).
    /// <paramref name="MessageJson"/>, when given, is the inference result (a JSON object) behind this status: the task
    /// keeps the latest one as the message of an event its trigger policy registers.
    /// </summary>
    public sealed record AddStatus(string TaskKey, bool Flag, string? MessageJson = null) : ITaskMessage;

    /// <summary>
    /// Buffers one BGR24 frame (Python <c>add_video_frame</c>): <paramref name="Pixels"/> holds
    /// <c>Width × Height × 3</c> bytes, row-major, no padding. (none) → CREATED; CREATED/PENDING: buffers;
    /// DONE (stopped): rejected; DONE (registering), FINISHED/ERROR: new cycle, buffered. Every frame of a cycle has
    /// the same size. The task encodes the frame at once (H.264 on its node's encoder pool) and keeps only the packet.
    /// <paramref name="FrameId"/> lets a registration pick its keyframe by the inference message's <c>frame_id</c>.
    /// <paramref name="CaptureTime"/> is when the frame was captured, Unix seconds with a fraction (NATS header
    /// <c>Frame-Time</c>); frames are put in capture order within <c>registrator.task.reorder-window</c> and the clip
    /// follows capture time. Null: the time the task received it. <paramref name="Format"/> <see cref="FrameFormat.Jpeg"/>:
    /// <paramref name="Pixels"/> is a JPEG of that size, decoded on the task's node.
    /// </summary>
    public sealed record AddFrame(string TaskKey, int Width, int Height, byte[] Pixels, string? FrameId = null, double? CaptureTime = null,
        FrameFormat Format = FrameFormat.Bgr24) : ITaskMessage;

    /// <summary>Empties the status list (Python <c>clear_key_task</c>); valid in every state, a no-op in (none).</summary>
    public sealed record ClearStatuses(string TaskKey) : ITaskMessage;

    /// <summary>Stops the task (Python <c>stop_task</c>): CREATED/PENDING → DONE; DONE/FINISHED/ERROR: no-op; (none): rejected.</summary>
    public sealed record StopTask(string TaskKey) : ITaskMessage;

    /// <summary>
    /// Registers the event (Python <c>register_task(key, message)</c>): DONE → clip and keyframe written →
    /// FINISHED or ERROR → event recorded. Valid in (none), CREATED, PENDING and DONE; rejected in
    /// FINISHED/ERROR (start a new cycle first). <paramref name="MessageJson"/> is the inference message, a JSON
    /// object stored verbatim in the event. Answered with <see cref="TaskEvents.EventRegistered"/> or
    /// <see cref="TaskEvents.RegistrationFailed"/> once the event is recorded.
    /// </summary>
    public sealed record RegisterTask(string TaskKey, string MessageJson) : ITaskMessage;

    /// <summary>Forgets the task (Python <c>delete_task</c>): the entity stops (after a running registration completes). A no-op in (none).</summary>
    public sealed record DeleteTask(string TaskKey) : ITaskMessage;
}
