// Longer than 300 lines because every subject shares this lifecycle: connection, subscription with back-off, drain fence, graph restarts.
using System.Threading.Channels;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Actors.Logging;
using Registrator.Actors.Metrics;

namespace Registrator.Actors.Nats;

/// <summary>
/// What each of the <see cref="NatsBridge"/>'s subject actors is: one NATS connection of its own (named after its
/// role on the server), one Akka.Streams graph built in <see cref="PreStart"/> by the subclass's <see cref="Run"/>, and
/// the graph's outcomes coming back to this actor one at a time through an acknowledging sink. Lifecycle:
/// <code>
///   PreStart ─► connection + graph ─► outcomes: bad input counted (BadInputAccount), connection changes logged
///      │                                 │
///      │          graph ends unexpectedly (a bug, a broken client): throw ─► parent restarts this actor
///      │                                 │                                   (PostStop closes the old connection)
///      └─► Drain (inbound subjects): subscription drained ─► graph completes ─► Done to whoever asked
/// </code>
/// Back-pressure is the subclass's <see cref="TaskDelivery"/> stage; each inbound subject has its own connection
/// because a subscription that waits stops its connection's reader.
/// </summary>
internal abstract class NatsSubjectActor : ReceiveActor
{
    /// <summary>How long a drain waits for the server to confirm the unsubscribe (NATS down: it never does).</summary>
    private static readonly TimeSpan FenceTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How many of a batched subscription's pending messages wait in the client's own channel.</summary>
    private const int ClientHolds = 4096;

    private readonly BadInputAccount _account;
    private readonly LogThrottle _connectionLog = new(TimeSpan.FromSeconds(30));
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);
    private readonly CancellationTokenSource _shutdown = new();
    /// <summary>Identifies this incarnation's graph: after a restart, the old graph's last messages are ignored.</summary>
    private readonly object _generation = new();
    private readonly LiveSubscription _subscription = new();
    private readonly List<IActorRef> _drainWaiters = [];
    private NatsConnection? _connection;
    private UniqueKillSwitch? _graph;
    private bool _draining;
    private bool _drained;

    protected NatsSubjectActor(BridgeContext bridge, string role, string subject)
    {
        Bridge = bridge;
        Role = role;
        Subject = subject;
        _account = new BadInputAccount(bridge.Counters, bridge.Settings.BadInputLogInterval, Log);
        Delivery = new TaskDelivery(bridge.Tasks, ((ExtendedActorSystem)Context.System).Provider, bridge.Settings.AskTimeout, _shutdown.Token);
        Receive<StreamInit>(_ => Sender.Tell(StreamAck.Instance));
        Receive<Skipped>(HandleSkipped);
        Receive<Dropped>(HandleDropped);
        Receive<StreamEnded>(HandleStreamEnded);
        Receive<ConnectionChanged>(HandleConnectionChanged);
        Receive<NatsBridge.Drain>(_ => HandleDrain());
    }

    protected BridgeContext Bridge { get; }
    protected NatsSettings Settings => Bridge.Settings;
    /// <summary>What this actor's connection carries (results, frames, commands, events); it names the connection.</summary>
    protected string Role { get; }
    protected string Subject { get; }
    protected TaskDelivery Delivery { get; }
    protected ILoggingAdapter Log { get; } = Context.GetLogger();
    protected CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>This actor's connection; it connects on first use (a subscription, a publish).</summary>
    protected NatsConnection Connection => _connection ?? throw new InvalidOperationException("the connection is made in PreStart");

    /// <summary>Builds and runs this subject's graph, ending in <see cref="Outcomes"/>; the kill switch stops it.</summary>
    protected abstract UniqueKillSwitch Run(IMaterializer materializer);

    protected override void PreStart()
    {
        _connection = Connect();
        _graph = Run(Context.Materializer());
    }

    protected override void PostStop()
    {
        Bridge.Connectivity.Lost(Role);
        _graph?.Shutdown();
        _shutdown.Cancel();
        if (_connection is { } connection) _ = DisposeQuietlyAsync(connection);
    }

    /// <summary>Counts and logs a message this actor could not handle.</summary>
    protected void Count(BadInput input) => _account.Count(Subject, input);

    /// <summary>
    /// This actor's subscription as a source, read as the graph demands: the client's bounded pending channel.
    /// Subscribing waits for the connection; if it fails, it is retried with back-off. The source completes when the
    /// subscription is drained (<see cref="NatsBridge.Drain"/>), after its last buffered message. It materializes the kill
    /// switch that <see cref="Run"/> returns, so every subject's graph stops the same way.
    /// </summary>
    protected Source<NatsMsg<Payload>, UniqueKillSwitch> Subscription(int maxBytes, int capacity)
    {
        var (subject, metrics) = (Subject, _metrics);
        return Subscribed(new PayloadDeserializer(maxBytes), capacity, ChannelSource.FromReader)
            .Select(message =>
            {
                metrics.NatsMessageReceived(subject);
                return message;
            })
            .ViaMaterialized(KillSwitches.Single<NatsMsg<Payload>>(), Keep.Right);
    }

    /// <summary>
    /// The subscription as <see cref="Subscription(int, int)"/> is, but what the client already holds (up to
    /// <paramref name="handOver"/> messages) enters the graph as one list, each message read by <paramref name="read"/>
    /// on the way. Each element crossing the graph's stages is an asynchronous hand-over, and a message struct is boxed
    /// at every stage it crosses: at 100k results/s those cost more than the parsing.
    /// <para>
    /// Of the <paramref name="capacity"/> messages held, the client's channel holds only the first
    /// <see cref="ClientHolds"/>; the rest wait as bare bodies in a <see cref="BodyBuffer"/>. Small bodies share the
    /// <paramref name="arena"/>'s chunks until they are released (<see cref="PayloadArena.Release"/>).
    /// </para>
    /// </summary>
    protected Source<IReadOnlyList<T>, UniqueKillSwitch> Subscription<T>(int maxBytes, int capacity, int handOver, PayloadArena arena,
        Func<Payload, T> read)
    {
        var (subject, metrics, token) = (Subject, _metrics, ShutdownToken);
        var clientCapacity = Math.Min(capacity, ClientHolds);
        // SelectAsync drops a null result, so the channel's end is told by an empty list of its own.
        IReadOnlyList<T> ended = new List<T>(0);
        return Subscribed(new PayloadDeserializer(maxBytes, arena), clientCapacity, channel =>
            {
                var buffer = BodyBuffer.Fill(channel, Math.Max(capacity - clientCapacity, 1), token);
                return Source.Repeat(buffer)
                    .SelectAsync(1, async Task<IReadOnlyList<T>> (bodies) =>
                    {
                        if (!await bodies.WaitToReadAsync().ConfigureAwait(false)) return ended;
                        var list = new List<T>(Math.Clamp(bodies.Waiting, 1, handOver));
                        while (list.Count < handOver && bodies.TryTake(out var body)) list.Add(read(body));
                        metrics.NatsMessagesReceived(subject, list.Count);
                        return list;
                    })
                    .TakeWhile(list => !ReferenceEquals(list, ended));
            })
            .ViaMaterialized(KillSwitches.Single<IReadOnlyList<T>>(), Keep.Right);
    }

    /// <summary>
    /// The subscription's channel, read by <paramref name="read"/>. A subscription that cannot be made (server down at
    /// first, permissions) is retried with back-off; a channel that completes (drained) ends the source for good.
    /// </summary>
    private Source<T, NotUsed> Subscribed<T>(PayloadDeserializer deserializer, int capacity, Func<ChannelReader<NatsMsg<Payload>>, Source<T, NotUsed>> read)
    {
        var options = new NatsSubOpts { ChannelOpts = new NatsSubChannelOpts { Capacity = capacity, FullMode = Settings.PendingFullMode } };
        var (connection, subject, queueGroup, token, live) = (Connection, Subject, Settings.QueueGroup, ShutdownToken, _subscription);
        var backoff = RestartSettings.Create(Settings.SubscribeMinBackoff, Settings.SubscribeMaxBackoff, Settings.SubscribeRandomFactor);
        return RestartSource.OnFailuresWithBackoff(
            () => Source.FromTask(connection.SubscribeCoreAsync(subject, queueGroup, deserializer, options, token).AsTask())
                .ConcatMany(subscription =>
                {
                    live.Set(subscription);
                    return read(subscription.Msgs);
                }),
            backoff);
    }

    /// <summary>The end of every graph: the outcomes that need attention come to this actor, one at a time.</summary>
    protected Sink<Option<BadInput>, NotUsed> Outcomes()
    {
        var generation = _generation;
        return Flow.Create<Option<BadInput>>()
            .Where(outcome => outcome.HasValue)
            .Select(outcome => (object)new Skipped(outcome.Value))
            .To(Sink.ActorRefWithAck<object>(Self, StreamInit.Instance, StreamAck.Instance,
                new StreamEnded(generation, null), cause => new StreamEnded(generation, cause)));
    }

    private void HandleSkipped(Skipped skipped)
    {
        Count(skipped.Input);
        Sender.Tell(StreamAck.Instance);
    }

    private void HandleDropped(Dropped dropped) =>
        Count(new BadInput(BadInputReason.OverflowDropped, $"subscription full ({dropped.Pending} pending): the client dropped a message"));

    private void HandleStreamEnded(StreamEnded ended)
    {
        if (!ReferenceEquals(ended.Generation, _generation)) return;
        if (_draining)
        {
            if (ended.Cause is not null) Log.Warning("NATS {0}: stream failed while draining: {1}", Subject, ended.Cause.Message);
            _drained = true;
            Log.Info("NATS {0} drained: every message received is with its task", Subject);
            foreach (var waiter in _drainWaiters) waiter.Tell(Done.Instance);
            _drainWaiters.Clear();
            return;
        }
        if (ended.Cause is null)
        {
            Log.Warning("NATS {0}: stream completed while the bridge runs; restarting its actor", Subject);
            throw new InvalidOperationException($"NATS bridge stream for {Subject} completed unexpectedly");
        }
        // Every stage recovers from bad input, so a failure is a bug or a broken client: start clean.
        Log.Error(ended.Cause, "NATS {0}: stream failed; restarting its actor", Subject);
        throw new InvalidOperationException($"NATS bridge stream for {Subject} failed", ended.Cause);
    }

    private void HandleDrain()
    {
        if (!_draining)
        {
            _draining = true;
            Log.Info("NATS {0}: draining before the node leaves", Subject);
            // Never subscribed (NATS down): nothing was received that could be lost; end the graph.
            if (!_subscription.Drain()) _graph?.Shutdown();
        }
        if (_drained) Sender.Tell(Done.Instance);
        else _drainWaiters.Add(Sender);
    }

    private void HandleConnectionChanged(ConnectionChanged changed)
    {
        switch (changed.Change)
        {
            case ConnectionChange.Opened:
                Bridge.Connectivity.Opened(Role);
                Log.Info("NATS {0} connection open: {1}", Role, changed.Detail);
                break;
            case ConnectionChange.Disconnected:
                Bridge.Connectivity.Lost(Role);
                Bridge.Connectivity.Problem(Role, NatsConnectivity.Disconnected);
                // A server that cuts off a slow consumer closes the connection; what it had queued for it is lost.
                _metrics.NatsConnectionProblem(Role, NatsConnectivity.Disconnected);
                Log.Warning("NATS {0} connection lost ({1}): messages the server held for it are lost if it cut this node off as a slow consumer; the client reconnects by itself",
                    Role, changed.Detail);
                break;
            case ConnectionChange.ServerError:
                if (changed.Detail.Contains("slow consumer", StringComparison.OrdinalIgnoreCase))
                {
                    Bridge.Connectivity.Problem(Role, NatsConnectivity.SlowConsumer);
                    _metrics.NatsConnectionProblem(Role, NatsConnectivity.SlowConsumer);
                }
                Log.Error("NATS {0} connection: server error {1}", Role, changed.Detail);
                break;
            case ConnectionChange.LameDuck:
                Log.Warning("NATS {0} connection: server entering lame duck mode, the client will move to another server", Role);
                break;
            case ConnectionChange.SlowConsumer:
                Bridge.Connectivity.Problem(Role, NatsConnectivity.SlowConsumer);
                _metrics.NatsConnectionProblem(Role, NatsConnectivity.SlowConsumer);
                if (_connectionLog.ShouldLog(changed.Change.ToString(), DateTime.UtcNow, out var dropped))
                    Log.Error("NATS {0} connection: slow consumer ({1}; {2} more since the last report): messages are being lost", Role, changed.Detail, dropped);
                break;
            default:
                // Reconnect attempts repeat every few seconds while NATS is down.
                if (_connectionLog.ShouldLog(changed.Change.ToString(), DateTime.UtcNow, out var suppressed))
                    Log.Warning("NATS {0} connection: {1} ({2}; {3} more since the last report)", Role, changed.Change, changed.Detail, suppressed);
                break;
        }
    }

    /// <summary>This actor's connection, its state changes reported to this actor. It connects on first use.</summary>
    private NatsConnection Connect()
    {
        var connection = new NatsConnection(NatsConnectionOptions.For(Settings, Role));
        Bridge.Connectivity.Connecting(Role);
        var self = Self;
        connection.ConnectionOpened += (_, e) => Report(self, ConnectionChange.Opened, e.Message);
        connection.ConnectionDisconnected += (_, e) => Report(self, ConnectionChange.Disconnected, e.Message);
        connection.ReconnectFailed += (_, e) => Report(self, ConnectionChange.ReconnectFailed, e.Message);
        connection.SlowConsumerDetected += (_, e) => Report(self, ConnectionChange.SlowConsumer, e.Message);
        connection.LameDuckModeActivated += (_, e) => Report(self, ConnectionChange.LameDuck, e.Message);
        connection.ServerError += (_, e) => Report(self, ConnectionChange.ServerError, e.Message);
        connection.MessageDropped += (_, e) =>
        {
            self.Tell(new Dropped(e.Pending));
            return ValueTask.CompletedTask;
        };
        return connection;
    }

    private static ValueTask Report(IActorRef self, ConnectionChange change, string detail)
    {
        self.Tell(new ConnectionChanged(change, detail));
        return ValueTask.CompletedTask;
    }

    private static async Task DisposeQuietlyAsync(NatsConnection connection)
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The actor is gone; nothing is left that could act on a failed close.
        }
    }

    /// <summary>Sent by the graph's sink before its first outcome; answered with <see cref="StreamAck"/>.</summary>
    private sealed class StreamInit : INoSerializationVerificationNeeded
    {
        public static readonly StreamInit Instance = new();
        private StreamInit() { }
    }

    /// <summary>This actor's go-ahead to the sink: one outcome at a time, so outcomes never pile up in the mailbox.</summary>
    private sealed class StreamAck : INoSerializationVerificationNeeded
    {
        public static readonly StreamAck Instance = new();
        private StreamAck() { }
    }

    /// <summary>A message the graph could not deliver, from its sink.</summary>
    private sealed record Skipped(BadInput Input) : INoSerializationVerificationNeeded;

    /// <summary>The client dropped a message (only in a drop <c>pending-full-mode</c>); from the connection's event.</summary>
    private sealed record Dropped(int Pending) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>The graph ended: normally only when drained or stopped; <paramref name="Cause"/> is set when it failed.</summary>
    private sealed record StreamEnded(object Generation, Exception? Cause) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    private enum ConnectionChange { Opened, Disconnected, ReconnectFailed, SlowConsumer, LameDuck, ServerError }

    /// <summary>The connection's state changed; from the client's events, so that logging happens on this actor.</summary>
    private sealed record ConnectionChanged(ConnectionChange Change, string Detail) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>
    /// The subscription the graph reads, so that a drain can reach it; one made after the drain (a subscribe still under
    /// way) is drained at once. Written by the graph's threads, read by the actor: locked.
    /// </summary>
    private sealed class LiveSubscription
    {
        private readonly object _gate = new();
        private INatsSub<Payload>? _live;
        private bool _drained;

        public void Set(INatsSub<Payload> subscription)
        {
            lock (_gate)
            {
                if (!_drained)
                {
                    _live = subscription;
                    return;
                }
            }
            _ = DrainQuietlyAsync(subscription);
        }

        /// <summary>Drains the subscription; false when there is none (never subscribed).</summary>
        public bool Drain()
        {
            INatsSub<Payload>? subscription;
            lock (_gate)
            {
                _drained = true;
                subscription = _live;
                _live = null;
            }
            if (subscription is null) return false;
            _ = DrainQuietlyAsync(subscription);
            return true;
        }

        private static async Task DrainQuietlyAsync(INatsSub<Payload> subscription)
        {
            try
            {
                using var fence = new CancellationTokenSource(FenceTimeout);
                await subscription.DrainAsync(fence.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The connection is gone: the channel ends anyway, and the graph with it.
            }
        }
    }
}
