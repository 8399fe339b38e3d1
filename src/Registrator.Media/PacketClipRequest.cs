namespace Registrator.Media;

/// <summary>
/// What <see cref="ClipWriter"/> turns into <c>OutputRoot/&lt;EventId&gt;/&lt;EventId&gt;.mp4</c> and <c>.jpg</c>:
/// one cycle's H.264 packets as the camera's <see cref="H264Session"/> produced them (the task keeps
/// packets, not raw frames), muxed without re-encoding.
/// </summary>
/// <param name="EventId">Names the folder and both files (formatted "D", lower-case).</param>
/// <param name="Width">Width of the frames the session encoded (<see cref="H264Session.Width"/>); the clip is this rounded up to even.</param>
/// <param name="Height">Height of the frames the session encoded (<see cref="H264Session.Height"/>); the clip is this rounded up to even.</param>
/// <param name="Packets">Oldest first, the first a keyframe, pts strictly increasing; not copied.</param>
/// <param name="KeyframeIndex">Index in <paramref name="Packets"/> of the frame saved as the JPEG.</param>
/// <param name="KeyframePixels">
/// The original BGR24 pixels (<paramref name="Width"/> × <paramref name="Height"/> × 3) of the frame at
/// <paramref name="KeyframeIndex"/>, when the caller still has them: the JPEG is then made from them
/// directly. Null: the frame is decoded back from its GOP's packets.
/// </param>
/// <param name="OutputRoot">The folder the event folder is created in (the Python module's TMP_PATH).</param>
public sealed record PacketClipRequest(
    Guid EventId,
    int Width,
    int Height,
    IReadOnlyList<EncodedPacket> Packets,
    int KeyframeIndex,
    byte[]? KeyframePixels,
    string OutputRoot);
