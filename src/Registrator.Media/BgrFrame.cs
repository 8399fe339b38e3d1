namespace Registrator.Media;

/// <summary>
/// One BGR24 frame (width × height × 3 bytes, row-major, no padding between rows), optionally carrying
/// the producer's frame id so a keyframe can be picked by id. The size travels with the request, not
/// the frame, because every frame of a clip has the same size.
/// </summary>
/// <param name="Pixels">The pixels, blue-green-red per pixel; not copied, so the caller must not change them while encoding.</param>
/// <param name="FrameId">The producer's id of this frame (e.g. the inference result's frame_id), or null.</param>
public sealed record BgrFrame(byte[] Pixels, string? FrameId = null);
