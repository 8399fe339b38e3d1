using Akka;
using Akka.Actor;
using Akka.Event;
using Registrator.Actors.Configuration;

namespace Registrator.Actors.Nats;

/// <summary>
/// Connects a node to NATS. Started once per node (by the host, with the node's task region); a thin supervisor of one
/// actor per subject, each with its own connection and its own Akka.Streams graph built in its <c>PreStart</c>:
/// <code>
///   NatsBridge ─┬─ results  (<see cref="ResultsSubscriber"/>)  inference.results    ─► StatusBatch per key ─┐  (one SliceAnswers per slice)
///               ├─ frames   (<see cref="FramesSubscriber"/>)   registrator.frames   ─► AddFrame ─────────────┼─► task region (TaskDelivery)
///               ├─ commands (<see cref="CommandsSubscriber"/>) registrator.commands ─► command ─► reply ─────┘
///               └─ events   (<see cref="EventsPublisher"/>)    EventRecorded, IncidentStarted ─► registrator.events, registrator.events.started
/// </code>
/// Back-pressure runs from the tasks' answers to the socket (<see cref="TaskDelivery"/>); bad input is counted in
/// <see cref="BadInputCounters"/> (<see cref="BadInputAccount"/>) and skipped, never failing a graph. A subject actor
/// whose graph fails is restarted with a fresh connection; the others go on. The client reconnects by itself, and the
/// bridge starts while NATS is down. When the node shuts down (SIGTERM, a rolling restart), CoordinatedShutdown's
/// service-unbind phase sends this actor <see cref="Drain"/> before the task shards hand off: the inbound subscriptions
/// are drained (the server sends this queue member nothing new, and what it already sent is delivered to the tasks), so
/// the cluster's other nodes take the subjects over and nothing the server handed this node is lost with it.
/// </summary>
public sealed class NatsBridge : ReceiveActor
{
    private readonly BridgeContext _bridge;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _inbound = [];
    // Draining (shutdown): the inbound actors not drained yet, and who waits for them.
    private readonly HashSet<IActorRef> _undrained = [];
    private readonly List<IActorRef> _drainWaiters = [];
    private bool _draining;

    /// <summary>
    /// Stop taking messages from NATS and finish those already received; answered with <see cref="Done"/> once every
    /// inbound subject has delivered its last message to the tasks (the events publisher keeps running). Sent by the
    /// node's CoordinatedShutdown in the service-unbind phase, before the task shards hand off; the bridge forwards it
    /// to each inbound subject actor, which answers the bridge the same way.
    /// </summary>
    public sealed class Drain : INoSerializationVerificationNeeded
    {
        public static readonly Drain Instance = new();
        private Drain() { }
    }

    public NatsBridge(NatsSettings settings, IActorRef taskRegion, BadInputCounters counters, NatsConnectivity connectivity)
    {
        _bridge = new BridgeContext(settings, taskRegion, counters, connectivity);
        Receive<Drain>(_ => HandleDrain());
        Receive<Done>(_ => HandleDrained(Sender));
        Receive<Terminated>(terminated => HandleDrained(terminated.ActorRef));
    }

    /// <param name="taskRegion">The node's task shard region (or a proxy to it).</param>
    /// <param name="counters">Where bad input is counted; pass the node's instance to expose it as metrics.</param>
    /// <param name="connectivity">Where the connections' state is kept; pass the node's instance for its readiness check.</param>
    public static Props Props(NatsSettings settings, IActorRef taskRegion, BadInputCounters? counters = null, NatsConnectivity? connectivity = null)
    {
        var badInput = counters ?? new BadInputCounters();
        var state = connectivity ?? new NatsConnectivity();
        return Akka.Actor.Props.Create(() => new NatsBridge(settings, taskRegion, badInput, state));
    }

    /// <summary>
    /// A subject actor that fails is restarted (a fresh connection and graph), however often: each failure is a bug or a
    /// broken client, and a bridge without a subject would lose its messages silently. While draining, it is stopped
    /// instead: a new incarnation would subscribe again.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => _draining ? Directive.Stop : Directive.Restart);

    protected override void PreStart()
    {
        StartSubjects();
        // Once per bridge, not per restart: the task asks Self, which a restarted bridge keeps.
        var self = Self;
        var shutdown = CoordinatedShutdown.Get(Context.System);
        var timeout = shutdown.Timeout(CoordinatedShutdown.PhaseServiceUnbind);
        // A bridge stopped before the node shuts down (never in a node: its guardian restarts it) leaves the phase to its timeout.
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "nats-bridge-drain", () =>
            self.Ask<Done>(Drain.Instance, timeout).ContinueWith(static _ => Done.Instance, TaskScheduler.Default));
    }

    /// <summary>A restarted bridge starts its subjects again; the shutdown task is registered already.</summary>
    protected override void PostRestart(Exception reason) => StartSubjects();

    private void StartSubjects()
    {
        _inbound.Clear();
        _inbound.Add(Context.ActorOf(ResultsSubscriber.Props(_bridge), "results"));
        _inbound.Add(Context.ActorOf(FramesSubscriber.Props(_bridge), "frames"));
        _inbound.Add(Context.ActorOf(CommandsSubscriber.Props(_bridge), "commands"));
        Context.ActorOf(EventsPublisher.Props(_bridge), "events");
        var settings = _bridge.Settings;
        _log.Info("NATS bridge: servers {0}, queue group {1}, subjects {2} in, {3} out",
            settings.Url, settings.QueueGroup, string.Join(", ", settings.ResultsSubject, settings.FramesSubject, settings.CommandsSubject),
            string.Join(", ", settings.EventsSubject, settings.StartedSubject));
    }

    private void HandleDrain()
    {
        if (!_draining)
        {
            _draining = true;
            _log.Info("NATS bridge: draining {0}, {1}, {2} before the node leaves",
                _bridge.Settings.ResultsSubject, _bridge.Settings.FramesSubject, _bridge.Settings.CommandsSubject);
            foreach (var subject in _inbound)
            {
                _undrained.Add(subject);
                // A subject actor stopped for failing while draining counts as drained: it holds nothing any more.
                Context.Watch(subject);
                subject.Tell(Drain.Instance);
            }
        }
        if (_undrained.Count == 0) Sender.Tell(Done.Instance);
        else _drainWaiters.Add(Sender);
    }

    private void HandleDrained(IActorRef subject)
    {
        if (!_undrained.Remove(subject) || _undrained.Count > 0) return;
        _log.Info("NATS bridge drained: every message received is with its task");
        foreach (var waiter in _drainWaiters) waiter.Tell(Done.Instance);
        _drainWaiters.Clear();
    }
}
