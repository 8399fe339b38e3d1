namespace Registrator.Media;

/// <summary>
/// One H.264 access unit (one frame) exactly as the camera's <see cref="H264Session"/> produced it, so a
/// task can buffer a few kB per frame instead of 0.9 MB of raw BGR and registration only has to mux.
/// </summary>
/// <remarks>
/// The bytes are Annex-B (start-code delimited NAL units). A keyframe is an IDR picture that carries
/// its SPS and PPS in-band (the session uses no global header), so every GOP, and hence every cycle
/// that starts on a keyframe, decodes on its own. There are no B-frames: decode order is
/// presentation order and a packet's decode time equals its <see cref="Pts"/>.
/// </remarks>
/// <param name="Data">The access unit; not copied, so it must not be changed once handed on.</param>
/// <param name="Pts">Presentation time in ticks of 1/fps (the clip's time base); strictly increasing within a session.</param>
/// <param name="IsKeyframe">True for an IDR access unit (FFmpeg's AV_PKT_FLAG_KEY): decoding may start here.</param>
public sealed record EncodedPacket(byte[] Data, long Pts, bool IsKeyframe);
