namespace Registrator.Actors.Nats;

/// <summary>
/// Why the <see cref="NatsBridge"/> skipped a message (or could not complete one). Each is counted by
/// <see cref="BadInputCounters"/> under its <see cref="BadInputReasons.Name"/>, the label a metrics exporter uses.
/// </summary>
public enum BadInputReason
{
    /// <summary>The payload is not JSON.</summary>
    InvalidJson,
    /// <summary>The payload is JSON but not an object.</summary>
    NotAnObject,
    /// <summary>No task key: the key field or <c>Task-Key</c> header is missing, empty or not a string.</summary>
    MissingKey,
    /// <summary>The payload is larger than <c>max-payload</c> (<c>max-frame-payload</c> for frames, decoded or not).</summary>
    PayloadTooLarge,
    /// <summary>An inference result whose <c>detected</c> or <c>result.scores</c> cannot be read as a detection.</summary>
    InvalidResult,
    /// <summary>A frame whose <c>Content-Type</c> is missing or neither <c>image/jpeg</c> nor <c>application/x-bgr24</c>.</summary>
    UnsupportedContentType,
    /// <summary>A JPEG frame that does not decode.</summary>
    UndecodableImage,
    /// <summary>A raw frame without valid <c>Frame-Width</c>/<c>Frame-Height</c> headers.</summary>
    InvalidFrameSize,
    /// <summary>A raw frame whose byte count is not width × height × 3.</summary>
    FrameSizeMismatch,
    /// <summary>A frame whose <c>Frame-Time</c> header is not a finite positive decimal number of Unix seconds.</summary>
    InvalidFrameTime,
    /// <summary>A command that is missing or not one of the known names.</summary>
    UnknownCommand,
    /// <summary>A known command with a bad argument (a flag that is not a boolean, a message that is not an object).</summary>
    InvalidCommand,
    /// <summary>The task answered Rejected (a frame of another size, a command not valid in its state, ...).</summary>
    TaskRejected,
    /// <summary>The task did not answer within <c>ask-timeout</c> (<c>register-timeout</c>); the message may or may not have been applied.</summary>
    TaskTimeout,
    /// <summary>Asking the task failed otherwise (the region answered with a failure).</summary>
    TaskFailed,
    /// <summary>The NATS client dropped a message because a subscription was full (only when <c>pending-full-mode</c> drops).</summary>
    OverflowDropped,
    /// <summary>A recorded event was not announced on NATS because the outbound buffer was full (it is still in the store).</summary>
    EventsDropped,
    /// <summary>Publishing a command reply or an event failed.</summary>
    PublishFailed,
}

/// <summary>Stable names of <see cref="BadInputReason"/> values, for logs and metrics labels.</summary>
public static class BadInputReasons
{
    private static readonly string[] Names = Enum.GetValues<BadInputReason>().Select(Kebab).ToArray();

    /// <summary>All reasons, in declaration order.</summary>
    public static IReadOnlyList<BadInputReason> All { get; } = Enum.GetValues<BadInputReason>();

    /// <summary>The reason in kebab case: <c>invalid-json</c>, <c>task-rejected</c>, ...</summary>
    public static string Name(this BadInputReason reason) => Names[(int)reason];

    private static string Kebab(BadInputReason reason) =>
        string.Concat(reason.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
