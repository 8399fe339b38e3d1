using Akka.Actor;
using Akka.Routing;
using Registrator.Contracts;
using Registrator.Media;

namespace Registrator.Actors.Encoding;

/// <summary>
/// Sent by a <see cref="Tasks.TaskActor"/> to its node's encoder pool for every frame it buffers: encode these pixels
/// in the key's H.264 session now. The pool routes by <see cref="TaskKey"/>, so one key's frames always reach the same
/// encoder and its one session. The encoder answers the sender with <see cref="FrameEncoded"/> or
/// <see cref="FrameEncodeFailed"/>, in the order the frames came. Node-local: pixels never cross the network in a job.
/// </summary>
/// <param name="Cycle">The task's cycle the frame belongs to: the packet comes back tagged with it.</param>
/// <param name="Pts">Presentation time in ticks of 1/fps, from the frame's capture time; strictly increasing per key.</param>
/// <param name="ForceKeyframe">Start a GOP here (the first frame of a cycle, or after a dropped GOP).</param>
/// <param name="Format">Raw BGR24, or a JPEG the encoder decodes first (frames cross nodes in the form they arrived in).</param>
/// <param name="FramesPerSecond">The task's clip rate (a per-key override of <c>media.fps</c>); 0 = the encoder's.</param>
public sealed record EncodeFrame(
    string TaskKey,
    int Cycle,
    int Width,
    int Height,
    byte[] Pixels,
    long Pts,
    bool ForceKeyframe,
    string? FrameId,
    FrameFormat Format = FrameFormat.Bgr24,
    int FramesPerSecond = 0) : IConsistentHashable, INoSerializationVerificationNeeded
{
    public object ConsistentHashKey => TaskKey;
}

/// <summary>The encoder's answer to <see cref="EncodeFrame"/>: the frame's one H.264 packet.</summary>
public sealed record FrameEncoded(int Cycle, EncodedPacket Packet, string? FrameId) : INoSerializationVerificationNeeded;

/// <summary>The encoder's answer when a frame could not be encoded; the key's session was closed, so the next frame starts a GOP.</summary>
public sealed record FrameEncodeFailed(int Cycle, long Pts, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// Sent by a task to the encoder pool when it registers: mux <paramref name="Packets"/> (the cycle's H.264 packets,
/// moved out of the task's buffer, not copied) into the event's MP4 and write its JPEG keyframe, the frame at
/// <paramref name="KeyframeIndex"/>. Routed by key, so it queues behind that key's frames. Answered with
/// <see cref="EncodeSucceeded"/> or <see cref="EncodeFailed"/>.
/// </summary>
public sealed record WriteClip(
    Guid EventId,
    string TaskKey,
    int Width,
    int Height,
    IReadOnlyList<EncodedPacket> Packets,
    int KeyframeIndex,
    int FramesPerSecond = 0) : IConsistentHashable, INoSerializationVerificationNeeded
{
    public object ConsistentHashKey => TaskKey;
}

/// <summary>
/// Sent by a task when a <c>span</c> incident opens: write only the event's JPEG keyframe, the last of
/// <paramref name="Packets"/> (its GOP from the keyframe on), as <c>&lt;output&gt;/&lt;id&gt;/&lt;id&gt;.jpg</c>, so it is
/// on disk before the incident is announced; the clip follows when the incident closes (same event id, same keyframe).
/// Routed by key, so it is answered before any later <see cref="WriteClip"/> of the key: <see cref="KeyframeWritten"/>
/// or <see cref="KeyframeFailed"/>.
/// </summary>
public sealed record WriteKeyframe(Guid EventId, string TaskKey, int Width, int Height, IReadOnlyList<EncodedPacket> Packets)
    : IConsistentHashable, INoSerializationVerificationNeeded
{
    public object ConsistentHashKey => TaskKey;
}

/// <summary>The encoder's answer to <see cref="WriteKeyframe"/>: the JPEG is complete under its final name.</summary>
public sealed record KeyframeWritten(Guid EventId, string ImagePath) : INoSerializationVerificationNeeded;

/// <summary>The encoder's answer when the keyframe could not be written; no file is left behind.</summary>
public sealed record KeyframeFailed(Guid EventId, string Reason) : INoSerializationVerificationNeeded;

/// <summary>The encoder's answer to <see cref="WriteClip"/>: both files are complete under their final names.</summary>
public sealed record EncodeSucceeded(Guid EventId, string VideoPath, string ImagePath, int FrameCount, TimeSpan EncodeTime)
    : INoSerializationVerificationNeeded;

/// <summary>The encoder's answer when the clip could not be written; <paramref name="Reason"/> says why. No file is left behind.</summary>
public sealed record EncodeFailed(Guid EventId, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// Sent by a task whose registration gave up on the encoder (its timeout) when the clip arrives after all: the event is
/// recorded without it, so the files it names are nobody's and go now (the orphan sweep would find them only later).
/// </summary>
public sealed record DiscardClip(Guid EventId, string TaskKey, IReadOnlyList<string> Paths) : IConsistentHashable, INoSerializationVerificationNeeded
{
    public object ConsistentHashKey => TaskKey;
}

/// <summary>
/// Sent by a task when it stops (passivation, deletion, hand-off): close the key's H.264 session and free its native
/// memory. Only the session the sender owns is closed, so a late close never hits the key's next incarnation.
/// </summary>
public sealed record CloseSession(string TaskKey) : IConsistentHashable, INoSerializationVerificationNeeded
{
    public object ConsistentHashKey => TaskKey;
}
