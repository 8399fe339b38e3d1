using Akka.Actor;
using Registrator.Actors.Encoding;
using Registrator.Media;

namespace Registrator.Actors.Tests.Support;

/// <summary>
/// Stands in for the node's encoder pool in lifecycle specs: it answers every <see cref="EncodeFrame"/> at once with a
/// <see cref="FrameEncoded"/> carrying a small fake packet (a keyframe when the frame forces one, when the key's session
/// is new, and every <c>keyint</c> frames, as the real x264 session does), and forwards each <see cref="WriteClip"/> to
/// the clips probe and each <see cref="CloseSession"/> to the sessions probe. Forwarded, so the probe's
/// <c>LastSender</c> is the task: a test answers a clip with <c>probe.Reply(new EncodeSucceeded(...))</c> or
/// <see cref="EncodeFailed"/> and so decides how each registration turns out.
/// </summary>
public sealed class EncoderDouble : ReceiveActor
{
    /// <summary>Bytes of every fake packet: what the task's buffer and the node's budget count per frame.</summary>
    public const int PacketBytes = 16;

    /// <summary>A key's fake session: who opened it, the last pts and frames since its last keyframe.</summary>
    private sealed record Session(IActorRef Owner, int Width, int Height, long LastPts, int SinceKeyframe);

    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly int _keyint;

    /// <param name="keyint">GOP length in frames (<c>registrator.media.keyint</c>, effective).</param>
    /// <param name="clips">Receives every <see cref="WriteClip"/>, from the task.</param>
    /// <param name="sessions">Receives every <see cref="CloseSession"/>, from the task.</param>
    /// <param name="frames">Receives a copy of every <see cref="EncodeFrame"/> (pixels, frame id, pts), when given.</param>
    public EncoderDouble(int keyint, IActorRef clips, IActorRef sessions, IActorRef? frames)
    {
        _keyint = keyint > 0 ? keyint : throw new ArgumentOutOfRangeException(nameof(keyint), keyint, "must be positive");
        Receive<EncodeFrame>(frame =>
        {
            frames?.Forward(frame);
            HandleFrame(frame);
        });
        Receive<WriteClip>(clips.Forward);
        Receive<CloseSession>(close =>
        {
            HandleClose(close);
            sessions.Forward(close);
        });
    }

    public static Props Props(int keyint, IActorRef clips, IActorRef sessions, IActorRef? frames = null) =>
        Akka.Actor.Props.Create(() => new EncoderDouble(keyint, clips, sessions, frames));

    private void HandleFrame(EncodeFrame frame)
    {
        // As the real encoder: a new owner, a new size or a pts that does not increase opens a fresh session.
        var fresh = !_sessions.TryGetValue(frame.TaskKey, out var session)
            || !session.Owner.Equals(Sender) || session.Width != frame.Width || session.Height != frame.Height
            || frame.Pts <= session.LastPts;
        var keyframe = fresh || frame.ForceKeyframe || session!.SinceKeyframe >= _keyint;
        _sessions[frame.TaskKey] = new Session(Sender, frame.Width, frame.Height, frame.Pts,
            keyframe ? 1 : session!.SinceKeyframe + 1);
        var data = new byte[PacketBytes];
        BitConverter.TryWriteBytes(data, frame.Pts);
        data[^1] = keyframe ? (byte)1 : (byte)0;
        Sender.Tell(new FrameEncoded(frame.Cycle, new EncodedPacket(data, frame.Pts, keyframe), frame.FrameId));
    }

    private void HandleClose(CloseSession close)
    {
        if (_sessions.TryGetValue(close.TaskKey, out var session) && session.Owner.Equals(Sender)) _sessions.Remove(close.TaskKey);
    }
}
