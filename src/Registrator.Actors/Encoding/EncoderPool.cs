using Akka.Actor;
using Akka.Routing;
using Registrator.Actors.Configuration;
using Registrator.Media;

namespace Registrator.Actors.Encoding;

/// <summary>
/// The node's encoders behind one consistent-hashing router on the task key: a key's frames, clips and session close
/// always reach the same encoder, which keeps that key's one x264 session. Parallelism comes from the pool (one thread
/// per encoder, one x264 thread per session), so a hundred cameras never mean hundreds of x264 threads. A failing
/// encoder is restarted (its sessions closed; their next frames start on a keyframe), never the pool.
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
            .WithRouter(new ConsistentHashingPool(settings.PoolSize).WithSupervisorStrategy(restartEncoder));
    }
}
