using System.Threading.Channels;
using Akka;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using NATS.Client.Core;
using Registrator.Actors.Events;
using Registrator.Actors.Metrics;
using Registrator.Actors.Tasks;
using Registrator.Contracts;

namespace Registrator.Actors.Nats;

/// <summary>
/// Connects a node to NATS. Started once per node (by the host, with the node's task region); receives nothing from
/// other actors but <see cref="EventRecorded"/> from the event stream. Runs four Akka.Streams graphs, built in
/// <see cref="PreStart"/> and shut down in <see cref="PostStop"/>:
/// <code>
///   inference.results    ─► parse JSON ─► slice ─► StatusBatch per key ─┐
///   registrator.frames   ─► decode (thread pool) ─► AddFrame ───────────┼─► Ask task region ─► outcome ─► this actor
///   registrator.commands ─► parse JSON ───────────► command ───┘  (parallelism,        (count, log
///                           the task's answer ─► reply JSON ─► requester   timeout)     and skip)
///   EventRecorded (event stream) ─► bounded channel ─► publish registrator.events
/// </code>
/// Back-pressure runs from the Asks to the socket: each subscription's pending channel waits when full (it never drops
/// by default), and each inbound subject has its own connection, because a waiting subscription stops its connection's
/// reader. Bad input is counted in <see cref="BadInputCounters"/>, logged at most once per interval per reason, and
/// skipped; it never fails a stream. The client reconnects by itself; the bridge starts while NATS is down.
/// When the node shuts down (SIGTERM, a rolling restart), CoordinatedShutdown's service-unbind phase sends it
/// <see cref="Drain"/> before the task shards hand off: the inbound subscriptions are drained (the server sends this
/// queue member nothing new, and what it already sent is delivered to the tasks), so the cluster's other nodes take the
/// subjects over and nothing the server handed this node is lost with it.
/// </summary>
public sealed class NatsBridge : ReceiveActor
{
    private const string ResultsRole = "results";
    private const string FramesRole = "frames";
    private const string CommandsRole = "commands";

    /// <summary>A subscription that cannot be made (server down at first, permissions) is retried with back-off.</summary>
    private static readonly RestartSettings SubscribeBackoff = RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.2);

    private readonly NatsSettings _settings;
    private readonly IActorRef _tasks;
    private readonly BadInputCounters _counters;
    private readonly NatsConnectivity _connectivity;
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LogThrottle _badInputLog;
    private readonly LogThrottle _connectionLog = new(TimeSpan.FromSeconds(30));
    private readonly List<NatsConnection> _connections = [];
    private readonly List<UniqueKillSwitch> _streams = [];
    private readonly CancellationTokenSource _shutdown = new();
    /// <summary>Identifies this incarnation's streams: after a restart, the old streams' last messages are ignored.</summary>
    private readonly object _generation = new();
    private ChannelWriter<EventRecorded>? _eventsOut;

    // Draining (shutdown): the inbound streams by subject, those not yet completed, and who waits for them.
    private readonly LiveSubscriptions _subscriptions = new();
    private readonly Dictionary<string, UniqueKillSwitch> _inbound = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inboundOpen = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _drainWaiters = [];
    private bool _draining;

    /// <summary>
    /// Stop taking messages from NATS and finish those already received; answered with <see cref="Done"/> once every
    /// inbound stream has delivered its last message to the tasks (the outbound events stream keeps running). Sent by
    /// the node's CoordinatedShutdown in the service-unbind phase, before the task shards hand off.
    /// </summary>
    public sealed class Drain : INoSerializationVerificationNeeded
    {
        public static readonly Drain Instance = new();
        private Drain() { }
    }

    /// <summary>Sent by a stream's sink before its first outcome; answered with <see cref="StreamAck"/>.</summary>
    private sealed class StreamInit : INoSerializationVerificationNeeded
    {
        public static readonly StreamInit Instance = new();
        private StreamInit() { }
    }

    /// <summary>This actor's go-ahead to a stream's sink: one outcome at a time, so outcomes never pile up in the mailbox.</summary>
    private sealed class StreamAck : INoSerializationVerificationNeeded
    {
        public static readonly StreamAck Instance = new();
        private StreamAck() { }
    }

    /// <summary>A message a stream could not deliver, from the stream's sink.</summary>
    private sealed record Skipped(string Subject, BadInput Input) : INoSerializationVerificationNeeded;

    /// <summary>The NATS client dropped a message (only in a drop <c>pending-full-mode</c>); from the connection's event.</summary>
    private sealed record Dropped(string Subject, int Pending) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>A stream ended: normally only at shutdown; <paramref name="Cause"/> is set when it failed.</summary>
    private sealed record StreamEnded(string Subject, object Generation, Exception? Cause) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    private enum ConnectionChange { Opened, Disconnected, ReconnectFailed, SlowConsumer, LameDuck, ServerError }

    /// <summary>A connection's state changed; from the client's events, so that logging happens on this actor.</summary>
    private sealed record ConnectionChanged(string Role, ConnectionChange Change, string Detail) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    public NatsBridge(NatsSettings settings, IActorRef taskRegion, BadInputCounters counters, NatsConnectivity connectivity)
    {
        _settings = settings;
        _tasks = taskRegion;
        _counters = counters;
        _connectivity = connectivity;
        _badInputLog = new LogThrottle(settings.BadInputLogInterval);
        Receive<StreamInit>(_ => Sender.Tell(StreamAck.Instance));
        Receive<Skipped>(HandleSkipped);
        Receive<Dropped>(HandleDropped);
        Receive<StreamEnded>(HandleStreamEnded);
        Receive<ConnectionChanged>(HandleConnectionChanged);
        Receive<EventRecorded>(HandleEventRecorded);
        Receive<Drain>(_ => HandleDrain());
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

    protected override void PreStart()
    {
        StartStreams();
        // Once per bridge, not per restart: the task asks Self, which a restarted bridge keeps.
        var self = Self;
        var shutdown = CoordinatedShutdown.Get(Context.System);
        var timeout = shutdown.Timeout(CoordinatedShutdown.PhaseServiceUnbind);
        // A bridge stopped before the node shuts down (never in a node: its guardian restarts it) leaves the phase to its timeout.
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "nats-bridge-drain", () =>
            self.Ask<Done>(Drain.Instance, timeout).ContinueWith(static _ => Done.Instance, TaskScheduler.Default));
    }

    /// <summary>A restarted bridge starts its streams again; the shutdown task is registered already.</summary>
    protected override void PostRestart(Exception reason) => StartStreams();

    private void StartStreams()
    {
        var materializer = Context.Materializer();
        var commands = Connect(CommandsRole);
        _inbound[_settings.ResultsSubject] = RunResults(Connect(ResultsRole), materializer);
        _inbound[_settings.FramesSubject] = RunFrames(Connect(FramesRole), materializer);
        _inbound[_settings.CommandsSubject] = RunCommands(commands, materializer);
        _inboundOpen.UnionWith(_inbound.Keys);
        _streams.AddRange(_inbound.Values);
        _streams.Add(RunEvents(commands, materializer));
        Context.System.EventStream.Subscribe(Self, typeof(EventRecorded));
        _log.Info("NATS bridge: servers {0}, queue group {1}, subjects {2}, {3}, {4} in, {5} out",
            _settings.Url, _settings.QueueGroup, _settings.ResultsSubject, _settings.FramesSubject, _settings.CommandsSubject, _settings.EventsSubject);
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _connectivity.AllClosed();
        _eventsOut?.TryComplete();
        foreach (var stream in _streams) stream.Shutdown();
        _shutdown.Cancel();
        foreach (var connection in _connections) _ = DisposeQuietlyAsync(connection);
    }

    private void HandleSkipped(Skipped skipped)
    {
        Count(skipped.Subject, skipped.Input);
        Sender.Tell(StreamAck.Instance);
    }

    private void HandleDropped(Dropped dropped) =>
        Count(dropped.Subject, new BadInput(BadInputReason.OverflowDropped, $"subscription full ({dropped.Pending} pending): the client dropped a message"));

    private void Count(string subject, BadInput input)
    {
        _counters.Increment(input.Reason, input.Count);
        var reason = input.Reason.Name();
        if (!_badInputLog.ShouldLog(reason, DateTime.UtcNow, out var suppressed)) return;
        _log.Warning("NATS {0}: skipped ({1}; {2} more since the last report): {3}", subject, reason, suppressed, input.Detail);
    }

    private void HandleStreamEnded(StreamEnded ended)
    {
        if (!ReferenceEquals(ended.Generation, _generation)) return;
        if (_draining && _inboundOpen.Remove(ended.Subject))
        {
            if (ended.Cause is not null) _log.Warning("NATS {0}: stream failed while draining: {1}", ended.Subject, ended.Cause.Message);
            if (_inboundOpen.Count > 0) return;
            _log.Info("NATS bridge drained: every message received is with its task");
            foreach (var waiter in _drainWaiters) waiter.Tell(Done.Instance);
            _drainWaiters.Clear();
            return;
        }
        if (ended.Cause is null)
        {
            _log.Warning("NATS {0}: stream completed while the bridge runs; restarting the bridge", ended.Subject);
            throw new InvalidOperationException($"NATS bridge stream for {ended.Subject} completed unexpectedly");
        }
        // Every stage recovers from bad input, so a failure is a bug or a broken client: start clean.
        _log.Error(ended.Cause, "NATS {0}: stream failed; restarting the bridge", ended.Subject);
        throw new InvalidOperationException($"NATS bridge stream for {ended.Subject} failed", ended.Cause);
    }

    private void HandleConnectionChanged(ConnectionChanged changed)
    {
        switch (changed.Change)
        {
            case ConnectionChange.Opened:
                _connectivity.Opened(changed.Role);
                _log.Info("NATS {0} connection open: {1}", changed.Role, changed.Detail);
                break;
            case ConnectionChange.Disconnected:
                _connectivity.Lost(changed.Role);
                // A server that cuts off a slow consumer closes the connection; what it had queued for it is lost.
                _metrics.NatsConnectionProblem(changed.Role, "disconnected");
                _log.Warning("NATS {0} connection lost ({1}); the client reconnects by itself", changed.Role, changed.Detail);
                break;
            case ConnectionChange.ServerError:
                _log.Error("NATS {0} connection: server error {1}", changed.Role, changed.Detail);
                break;
            case ConnectionChange.LameDuck:
                _log.Warning("NATS {0} connection: server entering lame duck mode, the client will move to another server", changed.Role);
                break;
            case ConnectionChange.SlowConsumer:
                _metrics.NatsConnectionProblem(changed.Role, "slow-consumer");
                if (_connectionLog.ShouldLog($"{changed.Role}:{changed.Change}", DateTime.UtcNow, out var dropped))
                    _log.Error("NATS {0} connection: slow consumer ({1}; {2} more since the last report): messages are being lost", changed.Role, changed.Detail, dropped);
                break;
            default:
                // Reconnect attempts repeat every few seconds while NATS is down.
                if (_connectionLog.ShouldLog($"{changed.Role}:{changed.Change}", DateTime.UtcNow, out var suppressed))
                    _log.Warning("NATS {0} connection: {1} ({2}; {3} more since the last report)", changed.Role, changed.Change, changed.Detail, suppressed);
                break;
        }
    }

    private void HandleDrain()
    {
        if (!_draining)
        {
            _draining = true;
            _log.Info("NATS bridge: draining {0} before the node leaves", string.Join(", ", _inbound.Keys));
            foreach (var (subject, stream) in _inbound)
            {
                // Never subscribed (NATS down): nothing was received that could be lost; end the stream.
                if (!_subscriptions.Drain(subject)) stream.Shutdown();
            }
        }
        if (_inboundOpen.Count == 0) Sender.Tell(Done.Instance);
        else _drainWaiters.Add(Sender);
    }

    private void HandleEventRecorded(EventRecorded recorded)
    {
        if (_eventsOut?.TryWrite(recorded) == true) return;
        Count(_settings.EventsSubject, new BadInput(BadInputReason.EventsDropped,
            $"[{recorded.Event.TaskKey}] event {recorded.Event.EventId} not announced: {_settings.EventsBuffer} events already waiting to be published"));
    }

    /// <summary>A connection for one role, its state changes reported to this actor. It connects on first use.</summary>
    private NatsConnection Connect(string role)
    {
        var connection = new NatsConnection(NatsConnectionOptions.For(_settings, role));
        _connectivity.Connecting(role);
        var self = Self;
        connection.ConnectionOpened += (_, e) => Report(self, role, ConnectionChange.Opened, e.Message);
        connection.ConnectionDisconnected += (_, e) => Report(self, role, ConnectionChange.Disconnected, e.Message);
        connection.ReconnectFailed += (_, e) => Report(self, role, ConnectionChange.ReconnectFailed, e.Message);
        connection.SlowConsumerDetected += (_, e) => Report(self, role, ConnectionChange.SlowConsumer, e.Message);
        connection.LameDuckModeActivated += (_, e) => Report(self, role, ConnectionChange.LameDuck, e.Message);
        connection.ServerError += (_, e) => Report(self, role, ConnectionChange.ServerError, e.Message);
        connection.MessageDropped += (_, e) =>
        {
            self.Tell(new Dropped(e.Subject, e.Pending));
            return ValueTask.CompletedTask;
        };
        _connections.Add(connection);
        return connection;
    }

    private static ValueTask Report(IActorRef self, string role, ConnectionChange change, string detail)
    {
        self.Tell(new ConnectionChanged(role, change, detail));
        return ValueTask.CompletedTask;
    }

    private UniqueKillSwitch RunResults(NatsConnection connection, IMaterializer materializer)
    {
        var (settings, tasks, token) = (_settings, _tasks, _shutdown.Token);
        // Each result is parsed once, here. While the batches' Asks are all in flight (results-in-flight), what arrives
        // meanwhile gathers into one slice (at most results-batch), and each key of a slice gets its statuses as one
        // StatusBatch: a quiet stream goes through one result at a time, a flood in ever larger batches.
        return Subscription(connection, settings.ResultsSubject, settings.MaxPayload, settings.PendingCapacity)
            .ViaMaterialized(KillSwitches.Single<NatsMsg<Payload>>(), Keep.Right)
            .Select(message => InferenceResult.Parse(message.Data, settings))
            .GroupedWithin(settings.ResultsBatch, settings.ResultsBatchWindow)
            .SelectMany(slice => ResultSlice.ByKey(slice as IReadOnlyList<Parsed<KeyedStatus>> ?? [.. slice]))
            .SelectAsync(settings.ResultsInFlight, item => item is StatusBatch batch
                ? Outcome(DeliverBatchAsync(tasks, batch, settings.AskTimeout, token))
                : Task.FromResult(Option<BadInput>.Create((BadInput)item)))
            .ToMaterialized(Outcomes(settings.ResultsSubject), Keep.Left)
            .Run(materializer);
    }

    private UniqueKillSwitch RunFrames(NatsConnection connection, IMaterializer materializer)
    {
        var (settings, tasks, token) = (_settings, _tasks, _shutdown.Token);
        // Ordered SelectAsync both times: frames reach their task in the order they were published.
        return Subscription(connection, settings.FramesSubject, settings.MaxFramePayload, settings.FramePendingCapacity)
            .ViaMaterialized(KillSwitches.Single<NatsMsg<Payload>>(), Keep.Right)
            .SelectAsync(settings.DecodeParallelism, message => Task.Run(() => FrameMessage.ToAddFrame(message.Headers, message.Data, settings), token))
            .SelectAsync(settings.Parallelism, parsed => Outcome(parsed.Value is { } frame
                ? DeliverAsync(tasks, frame, settings.AskTimeout, token)
                : Task.FromResult(parsed.Error)))
            .ToMaterialized(Outcomes(settings.FramesSubject), Keep.Left)
            .Run(materializer);
    }

    private UniqueKillSwitch RunCommands(NatsConnection connection, IMaterializer materializer)
    {
        var (settings, tasks, token) = (_settings, _tasks, _shutdown.Token);
        // Unordered: each request has its own reply subject, and a long `register` must not hold up the replies behind it.
        return Subscription(connection, settings.CommandsSubject, settings.MaxPayload, settings.PendingCapacity)
            .ViaMaterialized(KillSwitches.Single<NatsMsg<Payload>>(), Keep.Right)
            .SelectAsyncUnordered(settings.Parallelism, request => Outcome(ExecuteAsync(tasks, settings, request, token)))
            .ToMaterialized(Outcomes(settings.CommandsSubject), Keep.Left)
            .Run(materializer);
    }

    private UniqueKillSwitch RunEvents(NatsConnection connection, IMaterializer materializer)
    {
        var (subject, token) = (_settings.EventsSubject, _shutdown.Token);
        // Bounded and never waiting: this actor writes with TryWrite and counts what does not fit.
        var events = Channel.CreateBounded<EventRecorded>(new BoundedChannelOptions(_settings.EventsBuffer)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        _eventsOut = events.Writer;
        return ChannelSource.FromReader(events.Reader)
            .ViaMaterialized(KillSwitches.Single<EventRecorded>(), Keep.Right)
            .SelectAsync(1, recorded => Outcome(PublishEventAsync(connection, subject, recorded, token)))
            .ToMaterialized(Outcomes(subject), Keep.Left)
            .Run(materializer);
    }

    /// <summary>
    /// The subscription's messages as a source: the client's bounded pending channel read as the stream demands it.
    /// Subscribing waits for the connection; if it fails, it is retried with back-off. The source completes when the
    /// subscription is drained (<see cref="Drain"/>), after its last buffered message.
    /// </summary>
    private Source<NatsMsg<Payload>, NotUsed> Subscription(NatsConnection connection, string subject, int maxBytes, int capacity)
    {
        var options = new NatsSubOpts { ChannelOpts = new NatsSubChannelOpts { Capacity = capacity, FullMode = _settings.PendingFullMode } };
        var deserializer = new PayloadDeserializer(maxBytes);
        var (queueGroup, token, metrics, live) = (_settings.QueueGroup, _shutdown.Token, _metrics, _subscriptions);
        // Failures only: a subscription's channel completes when it is drained, and then it must stay ended.
        return RestartSource.OnFailuresWithBackoff(
            () => Source.FromTask(connection.SubscribeCoreAsync(subject, queueGroup, deserializer, options, token).AsTask())
                .ConcatMany(subscription =>
                {
                    live.Add(subject, subscription);
                    return ChannelSource.FromReader(subscription.Msgs);
                }),
            SubscribeBackoff)
            .Select(message =>
            {
                metrics.NatsMessageReceived(subject);
                return message;
            });
    }

    /// <summary>The end of every graph: the outcomes that need attention go to this actor, one at a time.</summary>
    private Sink<Option<BadInput>, NotUsed> Outcomes(string subject)
    {
        var generation = _generation;
        return Flow.Create<Option<BadInput>>()
            .Where(outcome => outcome.HasValue)
            .Select(outcome => (object)new Skipped(subject, outcome.Value))
            .To(Sink.ActorRefWithAck<object>(Self, StreamInit.Instance, StreamAck.Instance,
                new StreamEnded(subject, generation, null), cause => new StreamEnded(subject, generation, cause)));
    }

    /// <summary>A stage's result as a stream element (streams carry no nulls): empty when the message went through.</summary>
    private static async Task<Option<BadInput>> Outcome(Task<BadInput?> outcome) =>
        await outcome.ConfigureAwait(false) is { } bad ? Option<BadInput>.Create(bad) : Option<BadInput>.None;

    /// <summary>Sends a status or frame to its task and waits for the answer: the back-pressure. Null when accepted.</summary>
    private static async Task<BadInput?> DeliverAsync(IActorRef tasks, ITaskMessage message, TimeSpan timeout, CancellationToken token)
    {
        try
        {
            var answer = await tasks.Ask<object>(message, timeout, token).ConfigureAwait(false);
            return answer is TaskReplies.Rejected rejected ? RejectedInput(rejected) : null;
        }
        catch (Exception e)
        {
            return Failed(message.TaskKey, timeout, e, token);
        }
    }

    /// <summary>Sends a slice's statuses of one key to its task and waits for its answer: null when it took them all.</summary>
    private static async Task<BadInput?> DeliverBatchAsync(IActorRef tasks, StatusBatch batch, TimeSpan timeout, CancellationToken token)
    {
        try
        {
            var answer = await tasks.Ask<StatusBatchAnswer>(new ShardingEnvelope(batch.TaskKey, batch), timeout, token).ConfigureAwait(false);
            return answer.Rejected == 0 ? null : new BadInput(BadInputReason.TaskRejected,
                $"[{answer.TaskKey}] {answer.Rejected} of {batch.Statuses.Length} statuses rejected in {CommandReply.StateName(answer.State)}: {answer.RejectReason}",
                answer.Rejected);
        }
        catch (Exception e)
        {
            return Failed(batch.TaskKey, timeout, e, token) is { } failed ? failed with { Count = batch.Statuses.Length } : null;
        }
    }

    /// <summary>Runs one request of <c>registrator.commands</c> and answers it; returns what went wrong, if anything.</summary>
    private static async Task<BadInput?> ExecuteAsync(IActorRef tasks, NatsSettings settings, NatsMsg<Payload> request, CancellationToken token)
    {
        var parsed = BridgeCommand.Parse(request.Data, settings);
        BadInput? outcome;
        byte[] reply;
        if (parsed.Value is not { } command)
        {
            outcome = parsed.Error;
            reply = CommandReply.Error(outcome!.Detail);
        }
        else
        {
            try
            {
                var answer = await tasks.Ask<object>(command.Message, command.Timeout, token).ConfigureAwait(false);
                reply = CommandReply.From(answer);
                outcome = answer switch
                {
                    TaskReplies.Rejected rejected => RejectedInput(rejected),
                    TaskEvents.RegistrationFailed failed => new BadInput(BadInputReason.TaskRejected, $"[{failed.TaskKey}] registration failed: {failed.Reason}"),
                    _ => null,
                };
            }
            catch (Exception e)
            {
                outcome = Failed(command.Message.TaskKey, command.Timeout, e, token);
                reply = CommandReply.Error(outcome?.Detail ?? "the registrator is shutting down", command.Message.TaskKey);
            }
        }
        // A request published without a reply subject is still carried out; there is just no one to answer.
        if (request.ReplyTo is null) return outcome;
        try
        {
            await request.ReplyAsync(reply, cancellationToken: token).ConfigureAwait(false);
            return outcome;
        }
        catch (Exception e)
        {
            // Shutting down: the requester times out, as it would if this node had died.
            if (token.IsCancellationRequested) return outcome;
            return outcome ?? new BadInput(BadInputReason.PublishFailed, $"reply to {request.ReplyTo} not sent: {e.Message}");
        }
    }

    private static async Task<BadInput?> PublishEventAsync(NatsConnection connection, string subject, EventRecorded recorded, CancellationToken token)
    {
        var headers = new NatsHeaders
        {
            [NatsHeaderNames.EventId] = recorded.Event.EventId.ToString("D"),
            [NatsHeaderNames.ContentType] = NatsHeaderNames.Json,
        };
        try
        {
            // The store's exact member bytes, so NATS subscribers read what Redis readers read.
            await connection.PublishAsync(subject, System.Text.Encoding.UTF8.GetBytes(recorded.MemberJson), headers, cancellationToken: token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            return token.IsCancellationRequested
                ? null
                : new BadInput(BadInputReason.PublishFailed, $"[{recorded.Event.TaskKey}] event {recorded.Event.EventId} not published: {e.Message}");
        }
    }

    private static BadInput RejectedInput(TaskReplies.Rejected rejected) =>
        new(BadInputReason.TaskRejected, $"[{rejected.TaskKey}] rejected in {CommandReply.StateName(rejected.State)}: {rejected.Reason}");

    /// <summary>What a failed Ask counts as; null when it was cancelled because the bridge is stopping.</summary>
    private static BadInput? Failed(string key, TimeSpan timeout, Exception e, CancellationToken token) => e switch
    {
        AskTimeoutException => new BadInput(BadInputReason.TaskTimeout, $"[{key}] task did not answer within {timeout}"),
        OperationCanceledException when token.IsCancellationRequested => null,
        _ => new BadInput(BadInputReason.TaskFailed, $"[{key}] {e.GetType().Name}: {e.Message}"),
    };

    /// <summary>
    /// The inbound subscriptions the streams read, by subject, so that <see cref="Drain"/> can reach them; a
    /// subscription made after its subject was drained (a subscribe still under way) is drained at once.
    /// Written by the streams' threads, read by the actor: locked.
    /// </summary>
    private sealed class LiveSubscriptions
    {
        private readonly object _gate = new();
        private readonly Dictionary<string, INatsSub<Payload>> _live = new(StringComparer.Ordinal);
        private readonly HashSet<string> _drained = new(StringComparer.Ordinal);

        public void Add(string subject, INatsSub<Payload> subscription)
        {
            lock (_gate)
            {
                if (!_drained.Contains(subject))
                {
                    _live[subject] = subscription;
                    return;
                }
            }
            _ = DrainQuietlyAsync(subscription);
        }

        /// <summary>Drains the subject's subscription; false when it has none (never subscribed).</summary>
        public bool Drain(string subject)
        {
            INatsSub<Payload>? subscription;
            lock (_gate)
            {
                _drained.Add(subject);
                if (!_live.Remove(subject, out subscription)) return false;
            }
            _ = DrainQuietlyAsync(subscription);
            return true;
        }

        /// <summary>How long the drain waits for the server to confirm the unsubscribe (NATS down: it never does).</summary>
        private static readonly TimeSpan FenceTimeout = TimeSpan.FromSeconds(3);

        private static async Task DrainQuietlyAsync(INatsSub<Payload> subscription)
        {
            try
            {
                using var fence = new CancellationTokenSource(FenceTimeout);
                await subscription.DrainAsync(fence.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The connection is gone: the channel ends anyway, and the stream with it.
            }
        }
    }

    private static async Task DisposeQuietlyAsync(NatsConnection connection)
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The bridge is gone; nothing is left that could act on a failed close.
        }
    }
}
