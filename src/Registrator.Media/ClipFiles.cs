namespace Registrator.Media;

/// <summary>The files <see cref="ClipWriter"/> produced for one event; both exist under their final names when this is returned.</summary>
/// <param name="EventId">The request's event id.</param>
/// <param name="VideoPath">Full path of the H.264 MP4 clip.</param>
/// <param name="ImagePath">Full path of the JPEG keyframe.</param>
/// <param name="FrameCount">Frames (packets) muxed into the clip.</param>
/// <param name="KeyframeIndex">Index in the request's packets of the frame saved as the JPEG.</param>
/// <param name="EncodeTime">Wall time of the whole write (mux, keyframe decode and JPEG, renames).</param>
public sealed record ClipFiles(
    Guid EventId,
    string VideoPath,
    string ImagePath,
    int FrameCount,
    int KeyframeIndex,
    TimeSpan EncodeTime);
