using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Registrator.Actors.Configuration;
using Registrator.Contracts;

namespace Registrator.Actors.Cameras;

/// <summary>
/// Feeds one configured camera into its task: runs <see cref="CameraFrames"/> and sends each frame to the task region,
/// waiting for the task's reply before the next (the back-pressure). Rejected frames (e.g. while the task is DONE
/// and registering) are counted and logged at most once per period. Started by the node, one per camera.
/// </summary>
public sealed class CameraActor : ReceiveActor
{
    private readonly CameraSettings _camera;
    private readonly IActorRef _tasks;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private UniqueKillSwitch? _killSwitch;
    private long _sent;
    private long _rejected;
    private DateTime _lastRejectionLog = DateTime.MinValue;

    /// <summary>
    /// Stop reading and answer <see cref="ReadingStopped"/>: the node is shutting down, and a frame that reached the task
    /// region after its shards left would hold the last node's region shutdown until its phase times out.
    /// </summary>
    public sealed class StopReading
    {
        public static StopReading Instance { get; } = new();

        private StopReading() { }
    }

    /// <summary>The answer to <see cref="StopReading"/>: no frame of this camera will be sent any more.</summary>
    public sealed class ReadingStopped
    {
        public static ReadingStopped Instance { get; } = new();

        private ReadingStopped() { }
    }

    /// <summary>The reply of one frame, sent by the stream back to this actor.</summary>
    private sealed record FrameOutcome(object Reply);

    public CameraActor(CameraSettings camera, IActorRef tasks)
    {
        _camera = camera;
        _tasks = tasks;
        Receive<FrameOutcome>(HandleOutcome);
        Receive<StopReading>(_ =>
        {
            // The kill switch completes the stream here, between frames: the one in flight (if any) is already sent.
            _killSwitch?.Shutdown();
            _killSwitch = null;
            _log.Info("camera {0}: stopped reading after {1} frames (node shutting down)", _camera.Key, _sent);
            Sender.Tell(ReadingStopped.Instance);
        });
    }

    public static Props Props(CameraSettings camera, IActorRef tasks) => Akka.Actor.Props.Create(() => new CameraActor(camera, tasks));

    protected override void PreStart()
    {
        var reader = _camera.Reader;
        var restart = RestartSettings.Create(reader.MinBackoff, reader.MaxBackoff, reader.RandomFactor);
        var self = Self;
        var tasks = _tasks;
        var askTimeout = reader.AskTimeout;
        _killSwitch = CameraFrames.Source(_camera, restart)
            .ViaMaterialized(KillSwitches.Single<TaskCommands.AddFrame>(), Keep.Right)
            .SelectAsync(1, async frame =>
            {
                try { return await tasks.Ask<object>(frame, askTimeout); }
                catch (AskTimeoutException) { return new Status.Failure(new TimeoutException($"task did not answer within {askTimeout}")); }
            })
            .To(Sink.ForEach<object>(reply => self.Tell(new FrameOutcome(reply))))
            .Run(Context.Materializer());
        _log.Info("camera {0}: reading {1} at {2} fps", _camera.Key, _camera.Source, _camera.Fps);
    }

    protected override void PostStop() => _killSwitch?.Shutdown();

    private void HandleOutcome(FrameOutcome outcome)
    {
        _sent++;
        if (outcome.Reply is TaskReplies.Accepted) return;
        _rejected++;
        var now = DateTime.UtcNow;
        if (now - _lastRejectionLog < _camera.Reader.RejectionLogInterval) return;
        _lastRejectionLog = now;
        _log.Warning("camera {0}: {1} of {2} frames not buffered so far; latest: {3}", _camera.Key, _rejected, _sent, outcome.Reply);
    }
}
