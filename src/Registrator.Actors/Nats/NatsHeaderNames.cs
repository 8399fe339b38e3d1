namespace Registrator.Actors.Nats;

/// <summary>Header names of the NATS interface (fixed: publishers and subscribers outside this system use them).</summary>
public static class NatsHeaderNames
{
    /// <summary>
    /// On <c>registrator.frames</c>: the task key, UTF-8 (any Unicode string). Like HTTP headers, NATS headers drop leading
    /// and trailing spaces from values: a key that begins or ends with a space cannot be sent as a frame header.
    /// </summary>
    public const string TaskKey = "Task-Key";
    /// <summary>On <c>registrator.frames</c>: <see cref="Jpeg"/> or <see cref="Bgr24"/>; on <c>registrator.events</c>: <see cref="Json"/>.</summary>
    public const string ContentType = "Content-Type";
    /// <summary>On raw frames: width in pixels.</summary>
    public const string FrameWidth = "Frame-Width";
    /// <summary>On raw frames: height in pixels.</summary>
    public const string FrameHeight = "Frame-Height";
    /// <summary>On frames, optional: the id an inference result's <c>frame_id</c> refers to (picks the event's keyframe).</summary>
    public const string FrameId = "Frame-Id";
    /// <summary>
    /// On frames, optional: the capture time, Unix seconds as a plain decimal number in the invariant culture
    /// (<c>1796000000.100</c>; an integer such as <c>1796000000</c> too). It must be finite and positive; no sign, exponent or
    /// digit grouping. Missing or empty: the task uses the time it received the frame.
    /// </summary>
    public const string FrameTime = "Frame-Time";
    /// <summary>On <c>registrator.events</c>: the event's id, as in the member's <c>event_id</c>.</summary>
    public const string EventId = "Event-Id";

    public const string Jpeg = "image/jpeg";
    public const string Bgr24 = "application/x-bgr24";
    public const string Json = "application/json";
}
