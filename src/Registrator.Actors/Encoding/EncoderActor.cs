using Akka.Actor;
using Akka.Event;
using Registrator.Actors.Configuration;
using Registrator.Actors.Metrics;
using Registrator.Media;

namespace Registrator.Actors.Encoding;

/// <summary>
/// Writes clips: receives <see cref="EncodeJob"/>s from task actors (through <see cref="EncoderPool"/>) and answers each
/// with <see cref="EncodeSucceeded"/> or <see cref="EncodeFailed"/>. Runs on its own pinned thread, because a job blocks
/// for the length of the encode. A job that throws is still answered; unexpected failures then restart this actor.
/// </summary>
public sealed class EncoderActor : ReceiveActor
{
    private readonly MediaSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);

    public EncoderActor(MediaSettings settings)
    {
        _settings = settings;
        Receive<EncodeJob>(HandleEncode);
    }

    public static Props Props(MediaSettings settings) =>
        Akka.Actor.Props.Create(() => new EncoderActor(settings)).WithDispatcher(MediaSettings.DispatcherId);

    private void HandleEncode(EncodeJob job)
    {
        var sender = Sender;
        try
        {
            var request = new ClipRequest(job.EventId, job.Width, job.Height, job.Frames, job.KeyframeId, _settings.OutputPath);
            var files = ClipWriter.Write(request, _settings.Encoder);
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
}
