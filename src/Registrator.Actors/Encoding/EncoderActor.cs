using Akka.Actor;
using Akka.Event;
using Registrator.Actors.Configuration;
using Registrator.Actors.Metrics;
using Registrator.Contracts;
using Registrator.Media;

namespace Registrator.Actors.Encoding;

/// <summary>
/// One encoder of the node's pool, on its own pinned thread because x264 and the muxer block. It keeps one live
/// <see cref="H264Session"/> per task key routed to it (<see cref="EncoderPool"/> hashes keys onto encoders), encodes
/// each <see cref="EncodeFrame"/> at once and answers the task with the frame's packet (<see cref="FrameEncoded"/>), and
/// writes clips from packets (<see cref="WriteClip"/> → <see cref="EncodeSucceeded"/> / <see cref="EncodeFailed"/>).
/// A session is closed when its task says so (<see cref="CloseSession"/>), when its owner changes (a new incarnation of
/// the key), when it fails, and when this encoder stops or restarts: no native memory outlives its task.
/// </summary>
public sealed class EncoderActor : ReceiveActor
{
    /// <summary>A key's session and the frame it last encoded, whose pixels make the keyframe when it is the one asked for.</summary>
    private sealed class Session(IActorRef owner, H264Session encoder)
    {
        public IActorRef Owner { get; } = owner;
        public H264Session Encoder { get; } = encoder;
        public long LastPts { get; set; } = long.MinValue;
        public byte[]? LastPixels { get; set; }
        /// <summary>Where this session's JPEG frames are decoded, reused frame after frame (the session has one size).</summary>
        public byte[]? DecodeBuffer { get; set; }
        public int FramesPerSecond { get; init; }
    }

    private readonly MediaSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public EncoderActor(MediaSettings settings)
    {
        _settings = settings;
        Receive<EncodeFrame>(HandleFrame);
        Receive<WriteClip>(HandleWrite);
        Receive<WriteKeyframe>(HandleKeyframe);
        Receive<CloseSession>(HandleClose);
        Receive<DiscardClip>(HandleDiscard);
    }

    public static Props Props(MediaSettings settings) =>
        Akka.Actor.Props.Create(() => new EncoderActor(settings)).WithDispatcher(MediaSettings.DispatcherId);

    protected override void PostStop()
    {
        foreach (var key in _sessions.Keys.ToList()) Close(key);
    }

    private void HandleFrame(EncodeFrame frame)
    {
        var sender = Sender;
        try
        {
            var session = SessionFor(frame, sender);
            // A JPEG crossed to this node at its own size; it is decoded here, on the encoder's thread, once, into the
            // session's own buffer (which then holds the last frame's pixels for a keyframe).
            var pixels = frame.Pixels;
            if (frame.Format == FrameFormat.Jpeg)
            {
                pixels = session.DecodeBuffer ??= new byte[checked(frame.Width * frame.Height * 3)];
                JpegFrame.DecodeInto(frame.Pixels, frame.Width, frame.Height, pixels);
            }
            var packet = session.Encoder.Encode(pixels, frame.Pts, frame.ForceKeyframe);
            session.LastPts = frame.Pts;
            session.LastPixels = pixels;
            sender.Tell(new FrameEncoded(frame.Cycle, packet, frame.FrameId));
        }
        catch (Exception ex) when (ex is MediaException or ArgumentException)
        {
            // The session's state is unknown now: the next frame opens a fresh one, which starts on a keyframe.
            Close(frame.TaskKey);
            _log.Warning("[{0}] frame at pts {1} not encoded: {2}", frame.TaskKey, frame.Pts, ex.Message);
            sender.Tell(new FrameEncodeFailed(frame.Cycle, frame.Pts, ex.Message));
        }
    }

    /// <summary>The key's session for this sender and frame size, opened (or re-opened) when needed.</summary>
    private Session SessionFor(EncodeFrame frame, IActorRef owner)
    {
        if (_sessions.TryGetValue(frame.TaskKey, out var session))
        {
            if (session.Owner.Equals(owner) && session.Encoder.Width == frame.Width && session.Encoder.Height == frame.Height
                && frame.Pts > session.LastPts && session.FramesPerSecond == OptionsFor(frame.FramesPerSecond).FramesPerSecond)
                return session;
            Close(frame.TaskKey);
        }
        var options = OptionsFor(frame.FramesPerSecond);
        session = new Session(owner, new H264Session(frame.Width, frame.Height, options)) { FramesPerSecond = options.FramesPerSecond };
        _sessions[frame.TaskKey] = session;
        _metrics.EncoderSessionsChanged(1, H264Session.EstimatedNativeBytes(frame.Width, frame.Height));
        if (_log.IsDebugEnabled) _log.Debug("[{0}] opened an x264 session for {1}x{2}", frame.TaskKey, frame.Width, frame.Height);
        return session;
    }

    private void HandleDiscard(DiscardClip discard)
    {
        foreach (var path in discard.Paths)
        {
            try
            {
                // Only what this pool writes: <output-path>/<event id>/<event id>.<ext>.
                var full = Path.GetFullPath(path);
                if (!string.Equals(Path.GetDirectoryName(full), Path.GetFullPath(Path.Combine(_settings.OutputPath, discard.EventId.ToString("D"))), StringComparison.Ordinal))
                    continue;
                File.Delete(full);
                var folder = Path.GetDirectoryName(full)!;
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            }
            catch (IOException e)
            {
                _log.Warning("[{0}] event {1}: late clip file {2} not deleted: {3}", discard.TaskKey, discard.EventId, path, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                _log.Warning("[{0}] event {1}: late clip file {2} not deleted: {3}", discard.TaskKey, discard.EventId, path, e.Message);
            }
        }
        _log.Info("[{0}] event {1}: the clip came after the registration's timeout; its files are deleted", discard.TaskKey, discard.EventId);
    }

    private void HandleClose(CloseSession close)
    {
        if (_sessions.TryGetValue(close.TaskKey, out var session) && session.Owner.Equals(Sender)) Close(close.TaskKey);
    }

    private void Close(string key)
    {
        if (!_sessions.Remove(key, out var session)) return;
        _metrics.EncoderSessionsChanged(-1, -H264Session.EstimatedNativeBytes(session.Encoder.Width, session.Encoder.Height));
        session.Encoder.Dispose();
    }

    private void HandleWrite(WriteClip job)
    {
        var sender = Sender;
        try
        {
            var request = new PacketClipRequest(job.EventId, job.Width, job.Height, job.Packets, job.KeyframeIndex,
                KeyframePixelsAtHand(job), _settings.OutputPath);
            var files = ClipWriter.Write(request, OptionsFor(job.FramesPerSecond));
            _metrics.ClipEncoded(files.EncodeTime);
            sender.Tell(new EncodeSucceeded(job.EventId, files.VideoPath, files.ImagePath, files.FrameCount, files.EncodeTime));
        }
        catch (MediaException ex)
        {
            _log.Warning("[{0}] event {1}: clip not written: {2}", job.TaskKey, job.EventId, ex.Message);
            _metrics.ClipFailed();
            sender.Tell(new EncodeFailed(job.EventId, ex.Message));
        }
        catch (Exception ex)
        {
            // Answer first, so the task records its event; then let supervision restart this encoder.
            _metrics.ClipFailed();
            sender.Tell(new EncodeFailed(job.EventId, $"encoder failed: {ex.GetType().Name}: {ex.Message}"));
            throw;
        }
    }

    /// <summary>The node's encoder options, at the task's own clip rate when it has one (a <c>media.fps</c> override).</summary>
    private EncoderOptions OptionsFor(int framesPerSecond) =>
        framesPerSecond <= 0 || framesPerSecond == _settings.Encoder.FramesPerSecond ? _settings.Encoder : _settings.Encoder with { FramesPerSecond = framesPerSecond };

    private void HandleKeyframe(WriteKeyframe job)
    {
        var sender = Sender;
        var id = job.EventId.ToString("D");
        var directory = Path.Combine(_settings.OutputPath, id);
        var temporary = Path.Combine(directory, $".{id}.jpg.tmp");
        try
        {
            if (job.Packets.Count == 0 || !job.Packets[0].IsKeyframe) throw new MediaException("the keyframe's GOP must start on a keyframe");
            var last = job.Packets[^1];
            var pixels = _sessions.TryGetValue(job.TaskKey, out var session) && session.LastPixels is not null && session.LastPts == last.Pts
                && session.Encoder.Width == job.Width && session.Encoder.Height == job.Height
                ? session.LastPixels
                : H264Decoder.DecodeLastPicture(job.Packets, job.Width, job.Height);
            var jpeg = JpegKeyframe.Encode(pixels, job.Width, job.Height, _settings.Encoder.JpegQuality);
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(temporary, jpeg);
            var path = Path.Combine(directory, id + ".jpg");
            File.Move(temporary, path, overwrite: true);
            sender.Tell(new KeyframeWritten(job.EventId, path));
        }
        catch (Exception ex) when (ex is MediaException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            try { File.Delete(temporary); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            _log.Warning("[{0}] event {1}: keyframe not written: {2}", job.TaskKey, job.EventId, ex.Message);
            sender.Tell(new KeyframeFailed(job.EventId, ex.Message));
        }
    }

    /// <summary>The keyframe's original pixels when it is the last frame this key's session encoded; else it is decoded.</summary>
    private byte[]? KeyframePixelsAtHand(WriteClip job)
    {
        if (!_sessions.TryGetValue(job.TaskKey, out var session) || session.LastPixels is null) return null;
        if (job.KeyframeIndex < 0 || job.KeyframeIndex >= job.Packets.Count) return null;
        return job.Packets[job.KeyframeIndex].Pts == session.LastPts && session.Encoder.Width == job.Width && session.Encoder.Height == job.Height
            ? session.LastPixels
            : null;
    }
}
