using Akka.Actor;
using Akka.Routing;
using Registrator.Actors.Configuration;
using Registrator.Media;

namespace Registrator.Actors.Encoding;

/// <summary>
/// The node's encoders behind one router: a job goes to the encoder with the fewest queued jobs, so a long clip does
/// not hold up short ones while another encoder is idle. A failing encoder is restarted, never the pool.
/// </summary>
public static class EncoderPool
{
    public const string Name = "encoders";

    /// <summary>
    /// Checks the machine's FFmpeg (libavcodec version, libx264) and starts the pool.
    /// </summary>
    /// <exception cref="MediaException">FFmpeg or libx264 is missing; the message names what to install.</exception>
    public static IActorRef Start(ActorSystem system, MediaSettings settings, string name = Name)
    {
        FfmpegRuntime.EnsureAvailable();
        Directory.CreateDirectory(settings.OutputPath);
        return system.ActorOf(Props(settings), name);
    }

    public static Props Props(MediaSettings settings)
    {
        var restartEncoder = new OneForOneStrategy(
            maxNrOfRetries: -1, withinTimeRange: Timeout.InfiniteTimeSpan, localOnlyDecider: _ => Directive.Restart);
        return EncoderActor.Props(settings)
            .WithRouter(new SmallestMailboxPool(settings.PoolSize).WithSupervisorStrategy(restartEncoder));
    }
}
