// Longer than 300 lines because its public surface (four Props, three constructors, the state diagram) stays for callers; the rest only routes messages to the pieces it names.
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Event;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Metrics;
using Registrator.Actors.Redis;
using Registrator.Contracts;
using static Registrator.Actors.EventStore.EventStoreSignals;

namespace Registrator.Actors.EventStore;

/// <summary>
/// The node's event store. Receives <see cref="RecordEvent"/> from the node's TaskActors; answers the sender
/// <see cref="EventAccepted"/> once the event is in the outbox on disk, then writes it to Redis through the configured
/// <see cref="IEventSink"/> and, once Redis has it, tells <see cref="RecordEvent.ReplyTo"/>
/// <see cref="TaskEvents.EventRegistered"/>, which it also publishes on the event stream (with <see cref="EventRecorded"/>)
/// and, on a cluster node, on the DistributedPubSub topic <see cref="Topic"/>. Also answers <see cref="GetUndelivered"/>.
/// Redis being down delays events; it never loses or duplicates them. Each record names the node holding its files
/// (<c>node_id</c>, its <see cref="NodeName"/>), whose <see cref="RetentionActor"/> deletes them; on a node with HTTP
/// also its HTTP base URL (<c>node</c>), so every node can serve (proxy) the event's clip and keyframe.
/// <code>
///   Recovering ───── outbox read, compacted ─────► Running
///   │ RecordEvents wait, not yet acknowledged       │ outbox: one file operation at a time: append + fsync (then
///   │ a failed recovery is retried with back-off    │         EventAccepted), read spilled events back, truncate when all done,
///                                                   │         compact after compact-after done lines however busy
///                                                   │ Redis:  one write at a time, in outbox order; a failure backs off
///                                                   │         (with jitter) and retries forever; a reconnect cuts it short;
///                                                   │         poison-attempts permanent errors (WRONGTYPE, NOPERM, …) for one
///                                                   │         event move it to the dead letters and the queue goes on
/// </code>
/// </summary>
public sealed class EventStoreActor : ReceiveActor, IWithTimers
{
    /// <summary>The DistributedPubSub topic every registered event is published on (a <see cref="TaskEvents.EventRegistered"/>).</summary>
    public const string Topic = "registrator-events";

    /// <summary>The name a node gives its event store.</summary>
    public const string DefaultName = "event-store";

    private readonly EventStoreSetup _setup;
    private readonly EventStoreSettings _settings;
    private readonly EventSinks _sinks;
    private readonly DeliveryQueue _queue;
    private readonly RedisDelivery _redis;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeliveryLog _deliveryLog;
    private readonly OutboxLog _outboxLog;
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);

    // The two pipelines as plain state (separately tested); this actor runs their operations and routes the answers.
    private readonly OutboxPump _pump;
    private Task<RecoveredOutbox>? _recovery;
    private Outbox? _outbox;
    private int _recoveryAttempt;

    // The Redis client whose reconnects cut a back-off short.
    private RedisReconnects? _reconnects;

    private StoreAnnouncer _announcer = null!;

    /// <summary>An event store with its own Redis connection, created from <paramref name="redis"/> and closed when it stops.</summary>
    public EventStoreActor(EventStoreSettings settings, RedisSettings redis, string outputPath)
        : this(new EventStoreSetup(settings, new RedisConnection(redis), ownsConnection: true, outputPath, node: null)) { }

    /// <summary>An event store on the node's shared connection (not closed when the store stops).</summary>
    public EventStoreActor(EventStoreSettings settings, RedisConnection connection, string outputPath)
        : this(new EventStoreSetup(settings, connection, ownsConnection: false, outputPath, node: null)) { }

    /// <summary>
    /// An event store on the node's shared connection whose sorted-set members name the writing node: <paramref name="node"/>
    /// gives its HTTP base URL (e.g. <c>http://10.0.0.5:8080</c>) when an event is prepared, <c>null</c> while not known.
    /// </summary>
    public EventStoreActor(EventStoreSettings settings, RedisConnection connection, string outputPath, Func<string?> node)
        : this(new EventStoreSetup(settings, connection, ownsConnection: false, outputPath, node)) { }

    private EventStoreActor(EventStoreSetup setup)
    {
        _setup = setup;
        _settings = setup.Settings;
        _sinks = setup.Sinks;
        _queue = new DeliveryQueue(_settings.MaxQueued);
        _pump = new OutboxPump(_settings.CompactAfter);
        _redis = new RedisDelivery(_queue, new DeliveryState(_settings.PoisonAttempts, _settings.UnreachableLogInterval));
        _deliveryLog = new DeliveryLog(_log, setup.Connection.Settings.Endpoint, _settings.PoisonAttempts);
        _outboxLog = new OutboxLog(_log);
        Recovering();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>An event store with its own Redis connection; <paramref name="outputPath"/> is TMP_PATH (clips, and the default outbox folder).</summary>
    public static Props Props(EventStoreSettings settings, RedisSettings redis, string outputPath) =>
        Akka.Actor.Props.Create(() => new EventStoreActor(settings, redis, outputPath));

    /// <summary>An event store on a shared connection, which the caller disposes.</summary>
    public static Props Props(EventStoreSettings settings, RedisConnection connection, string outputPath) =>
        Akka.Actor.Props.Create(() => new EventStoreActor(settings, connection, outputPath));

    /// <summary>
    /// An event store on a shared connection whose members name this node: <paramref name="node"/> returns the node's HTTP
    /// base URL (the <c>node</c> field of each member), or <c>null</c> while it is not known (no field then).
    /// </summary>
    public static Props Props(EventStoreSettings settings, RedisConnection connection, string outputPath, Func<string?> node) =>
        Akka.Actor.Props.Create(() => new EventStoreActor(settings, connection, outputPath, node));

    /// <summary>
    /// An event store configured from a whole configuration (as <c>RegistratorConfig.Load()</c> gives):
    /// <c>registrator.events</c>, <c>registrator.redis</c> and <c>registrator.media.output-path</c> ("/tmp" when missing).
    /// </summary>
    public static Props Props(Config config) =>
        Props(EventStoreSettings.From(config.GetConfig("registrator.events")), RedisSettings.From(config.GetConfig("registrator.redis")), OutputPathOf(config));

    /// <summary><c>registrator.media.output-path</c> (TMP_PATH), fully resolved.</summary>
    public static string OutputPathOf(Config config) => MediaSettings.OutputPathOf(config);

    protected override void PreStart()
    {
        _setup.ReportStart(_log);
        var pubSub = Context.System is ExtendedActorSystem { Provider: IClusterActorRefProvider } ? DistributedPubSub.Get(Context.System).Mediator : null;
        _announcer = new StoreAnnouncer(Context.System, _metrics, pubSub, Topic);
        StartRecovery();
        _setup.Connection.GetAsync().PipeTo(Self, success: m => new RedisConnected(m), failure: ex => new RedisConnectFailed(Replies.Unwrap(ex)));
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _reconnects?.Dispose();
        if (_outbox is not null) _outbox.Dispose();
        else
        {
            // A recovery still running (or finished but not yet received) owns the folder's lock: release it when done.
            _recovery?.ContinueWith(static t => { if (t.IsCompletedSuccessfully) t.Result.Outbox.Dispose(); }, TaskScheduler.Default);
        }
        if (_setup.OwnsConnection) _setup.Connection.Dispose();
        _stopping.Dispose();
        if (_pump.Waiting > 0)
            _log.Warning("Event store stopped with {0} events not yet in the outbox (never acknowledged; their tasks report the registration as failed)", _pump.Waiting);
    }

    /// <summary>Reading the outbox: new events wait (unacknowledged) so that recovered ones go first.</summary>
    private void Recovering()
    {
        Receive<RecordEvent>(HandleRecord);
        Receive<RecoveredOutbox>(HandleRecovered);
        Receive<RecoveryFailed>(HandleRecoveryFailed);
        Receive<RetryRecovery>(_ => StartRecovery());
        CommonHandlers();
    }

    private void Running()
    {
        Receive<RecordEvent>(HandleRecord);
        Receive<OutboxDone>(HandleOutboxDone);
        Receive<OutboxFailed>(HandleOutboxFailed);
        Receive<RetryOutbox>(_ =>
        {
            _pump.RetryNow();
            PumpOutbox();
        });
        Receive<Delivered>(HandleDelivered);
        Receive<DeliveryFailed>(HandleDeliveryFailed);
        Receive<DeadLettered>(HandleDeadLettered);
        Receive<DeadLetterFailed>(HandleDeadLetterFailed);
        Receive<RetryDelivery>(_ =>
        {
            _redis.State.RetryNow();
            TryDeliver();
        });
        CommonHandlers();
    }

    private void CommonHandlers()
    {
        Receive<RedisConnected>(connected => _reconnects ??= new RedisReconnects(connected.Multiplexer, Self, RedisRestored.Instance));
        Receive<RedisConnectFailed>(failed => _log.Warning("Redis {0}: could not create the connection ({1}); retrying with the next event", _setup.Connection.Settings.Endpoint, failed.Cause.Message));
        Receive<RedisRestored>(_ => HandleRedisRestored());
        // Unknown while recovering: the outbox may hold events whose files have no record yet.
        Receive<GetUndelivered>(_ => Sender.Tell(new Undelivered(_outbox is null ? null : _redis.Undelivered + _pump.Waiting)));
    }

    // ── Recovery ────────────────────────────────────────────────────────────────────────────────────────────────

    private void StartRecovery()
    {
        _recovery = RecoveredOutbox.OpenAsync(_setup.OutboxDirectory, _sinks.Knows, _settings.MaxQueued);
        _recovery.PipeTo(Self, success: r => r, failure: ex => new RecoveryFailed(Replies.Unwrap(ex)));
    }

    private void HandleRecovered(RecoveredOutbox recovered)
    {
        _outbox = recovered.Outbox;
        _recovery = null;
        _outboxLog.Recovered(_outbox.FilePath, recovered.Recovery);
        _redis.Recovered(recovered.Recovery);
        Become(Running);
        TryDeliver();
        PumpOutbox();
    }

    private void HandleRecoveryFailed(RecoveryFailed failed)
    {
        _recovery = null;
        var delay = NextDelay(++_recoveryAttempt);
        _outboxLog.RecoveryFailed(_setup.OutboxDirectory, _recoveryAttempt, failed.Cause, delay);
        Timers.StartSingleTimer(RetryRecovery.Instance, RetryRecovery.Instance, delay);
    }

    // ── Outbox ──────────────────────────────────────────────────────────────────────────────────────────────────

    private void HandleRecord(RecordEvent record)
    {
        var sender = Sender;
        PendingEvent pending;
        try
        {
            // The record names the writing node: any node can find (and proxy) its files, and its retention deletes them.
            pending = _sinks.Configured.Prepare(record.Event, _setup.Origin());
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException)
        {
            // The task validates the message, so this is a bug upstream; unacknowledged, the task reports a failed registration.
            _log.Error(ex, "[{0}] event {1} cannot be recorded: its message is not valid JSON", record.Event.TaskKey, record.Event.EventId);
            return;
        }
        _pump.Add(new AcceptedEvent(pending, sender, record.ReplyTo));
        PumpOutbox();
    }

    /// <summary>Starts the file operation the pump chooses, if any, off the actor's thread.</summary>
    private void PumpOutbox()
    {
        if (_outbox is not { } outbox || _pump.Next(_queue.IsDrained, _queue.NeedsRefill) is not { } operation) return;
        OutboxWork.Start(outbox, operation, _queue.Count, _queue.SpillOffset, _settings.MaxQueued)
            .PipeTo(Self, success: result => new OutboxDone(operation, result), failure: ex => new OutboxFailed(operation, Replies.Unwrap(ex)));
    }

    private void HandleOutboxDone(OutboxDone done)
    {
        _pump.Succeeded(done.Operation);
        switch (done.Operation, done.Result)
        {
            case (OutboxOperation.Append append, long[] offsets):
                for (var i = 0; i < append.Adds.Count; i++)
                {
                    var accepted = append.Adds[i];
                    accepted.Sender.TellIfListening(new EventAccepted(accepted.Pending.EventId), Context.System);
                    _redis.Accepted(accepted, offsets[i]);
                }
                break;
            case (OutboxOperation.Compact, OutboxCompaction c):
                _queue.Rebase(c.SpillOffset);
                _outboxLog.Compacted(_outbox!.FilePath, c);
                break;
            case (OutboxOperation.Refill, OutboxBatch batch):
                _redis.Refilled(batch);
                _outboxLog.ReadBack(_outbox!.FilePath, batch);
                break;
        }
        TryDeliver();
        PumpOutbox();
    }

    private void HandleOutboxFailed(OutboxFailed failed)
    {
        // Back at the front, in order: nothing was acknowledged, so nothing is lost; the next attempt writes them again.
        var attempt = _pump.Failed(failed.Operation);
        var delay = NextDelay(attempt);
        _outboxLog.Failed(_outbox!.FilePath, failed.Operation, attempt, failed.Cause, _pump.Waiting, delay);
        Timers.StartSingleTimer(RetryOutbox.Instance, RetryOutbox.Instance, delay);
    }

    // ── Redis ───────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>Writes the oldest undelivered event, unless a write is in flight or the store is backing off.</summary>
    private void TryDeliver()
    {
        // Every change of the undelivered count (recovery, append, refill, delivery) is followed by a call here.
        _metrics.SetOutboxDepth(_redis.Undelivered);
        if (_redis.NextWrite() is not { } head) return;
        var eventId = head.Pending.EventId;
        _sinks[head.Pending.Sink].WriteAsync(head.Pending, _stopping.Token)
            .PipeTo(Self, success: () => new Delivered(eventId), failure: ex => new DeliveryFailed(eventId, Replies.Unwrap(ex)));
    }

    private void HandleDelivered(Delivered delivered)
    {
        if (_redis.AnswerFor(delivered.EventId) is null) return;
        var (delivery, outage) = _redis.Delivered(DateTimeOffset.UtcNow);
        if (outage is { } lasted) _deliveryLog.Back(lasted, _redis.Undelivered);
        _pump.Done(delivered.EventId);
        _announcer.Registered(delivery, _setup.Origin);
        TryDeliver();
        PumpOutbox();
    }

    private void HandleDeliveryFailed(DeliveryFailed failed)
    {
        if (_redis.AnswerFor(failed.EventId) is not { } head)
        {
            TryDeliver();
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var verdict = _redis.Failed(failed.Cause, now);
        if (verdict == DeliveryVerdict.DeadLetter)
        {
            // Deliveries stay paused until the dead-letter file has it.
            var letter = new DeadLetter(head.Pending, failed.Cause.Message, _redis.State.PermanentFailures, now);
            var file = _setup.DeadLetters;
            Task.Run(() => file.Append(letter))
                .PipeTo(Self, success: () => new DeadLettered(letter), failure: ex => new DeadLetterFailed(letter.EventId, Replies.Unwrap(ex)));
            return;
        }
        var delay = NextDelay(_redis.State.Attempt);
        _deliveryLog.Failed(_redis.State, verdict, head.Pending, failed.Cause, _redis.Undelivered, delay, now);
        Timers.StartSingleTimer(RetryDelivery.Instance, RetryDelivery.Instance, delay);
    }

    private void HandleDeadLettered(DeadLettered dead)
    {
        var letter = dead.Letter;
        if (_redis.AnswerFor(letter.EventId) is null) return;
        var delivery = _redis.DeadLettered();
        // Out of the outbox like a delivered event: the dead-letter file holds it now.
        _pump.Done(letter.EventId);
        _deliveryLog.DeadLettered(letter, delivery.Pending.Event.TaskKey, _setup.DeadLetters.FilePath, _redis.Undelivered);
        _announcer.DeadLettered(delivery, letter);
        TryDeliver();
        PumpOutbox();
    }

    private void HandleDeadLetterFailed(DeadLetterFailed failed)
    {
        var delay = NextDelay(_redis.State.DeadLetterFailed());
        _deliveryLog.DeadLetterFailed(failed.EventId, _setup.DeadLetters.FilePath, failed.Cause, delay);
        Timers.StartSingleTimer(RetryDelivery.Instance, RetryDelivery.Instance, delay);
    }

    /// <summary>The client reconnected: retry now instead of sleeping out a long back-off.</summary>
    private void HandleRedisRestored()
    {
        if (!_redis.State.Restored()) return;
        Timers.Cancel(RetryDelivery.Instance);
        TryDeliver();
    }

    // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

    private TimeSpan NextDelay(int attempt) =>
        Backoff.Delay(attempt, _settings.MinBackoff, _settings.MaxBackoff, _settings.RandomFactor, Random.Shared.NextDouble());
}
