namespace Registrator.Media;

/// <summary>
/// What <see cref="ClipWriter"/> turns into <c>OutputRoot/&lt;EventId&gt;/&lt;EventId&gt;.mp4</c> and <c>.jpg</c>:
/// the buffered frames of one event, all of <paramref name="Width"/> × <paramref name="Height"/> pixels.
/// </summary>
/// <param name="EventId">Names the folder and both files (formatted "D", lower-case).</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="Frames">Oldest first; not copied.</param>
/// <param name="KeyframeId">The <see cref="BgrFrame.FrameId"/> of the frame to save as the JPEG; null or unknown picks the newest frame.</param>
/// <param name="OutputRoot">The folder the event folder is created in (the Python module's TMP_PATH).</param>
public sealed record ClipRequest(
    Guid EventId,
    int Width,
    int Height,
    IReadOnlyList<BgrFrame> Frames,
    string? KeyframeId,
    string OutputRoot);
