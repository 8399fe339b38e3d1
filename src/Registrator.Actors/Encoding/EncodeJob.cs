using Akka.Actor;
using Registrator.Media;

namespace Registrator.Actors.Encoding;

/// <summary>
/// Sent by a <see cref="Tasks.TaskActor"/> to its node's encoder pool when it registers: write the clip and keyframe of
/// <paramref name="EventId"/> from <paramref name="Frames"/> (moved out of the task's buffer, not copied). The
/// encoder answers the sender with <see cref="EncodeSucceeded"/> or <see cref="EncodeFailed"/>. Node-local: frames
/// never cross the network inside a job.
/// </summary>
/// <param name="KeyframeId">The registering message's <c>frame_id</c>: the keyframe is the frame with that id, else the newest.</param>
public sealed record EncodeJob(
    Guid EventId,
    string TaskKey,
    int Width,
    int Height,
    IReadOnlyList<BgrFrame> Frames,
    string? KeyframeId) : INoSerializationVerificationNeeded;

/// <summary>The encoder's answer to an <see cref="EncodeJob"/>: both files are complete under their final names.</summary>
public sealed record EncodeSucceeded(Guid EventId, string VideoPath, string ImagePath, int FrameCount, TimeSpan EncodeTime)
    : INoSerializationVerificationNeeded;

/// <summary>The encoder's answer when the clip could not be written; <paramref name="Reason"/> says why. No file is left behind.</summary>
public sealed record EncodeFailed(Guid EventId, string Reason) : INoSerializationVerificationNeeded;
