using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Akka.Event;
using Registrator.Actors.Metrics;
using Registrator.Actors.Redis;
using Registrator.Contracts;
using StackExchange.Redis;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Events;

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

    private const int ProblemsLogged = 10;

    private readonly EventStoreSettings _settings;
    private readonly RedisConnection _connection;
    private readonly bool _ownsConnection;
    private readonly string _outboxDirectory;
    private readonly string? _outboxWarning;
    private readonly DeadLetterFile _deadLetters;
    private readonly IEventSink _sink;
    private readonly IReadOnlyDictionary<string, IEventSink> _sinks;
    private readonly Func<string?>? _node;
    private readonly string? _nodeId;
    private readonly Exception? _nodeIdFailure;
    private readonly DeliveryQueue _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);

    // The two pipelines as plain state (separately tested); this actor runs their operations and routes the answers.
    private readonly OutboxPump _pump;
    private readonly DeliveryState _delivery;
    private Task<Recovered>? _recovery;
    private Outbox? _outbox;
    private int _recoveryAttempt;

    // Redis: the undelivered count (the metric), and the client whose reconnects cut a back-off short.
    private long _undelivered;
    private IConnectionMultiplexer? _multiplexer;
    private EventHandler<ConnectionFailedEventArgs>? _onRestored;

    private IActorRef? _pubSub;

    /// <summary>An event store with its own Redis connection, created from <paramref name="redis"/> and closed when it stops.</summary>
    public EventStoreActor(EventStoreSettings settings, RedisSettings redis, string outputPath)
        : this(settings, new RedisConnection(redis), ownsConnection: true, outputPath)
    {
    }

    /// <summary>An event store on the node's shared connection (not closed when the store stops).</summary>
    public EventStoreActor(EventStoreSettings settings, RedisConnection connection, string outputPath)
        : this(settings, connection, ownsConnection: false, outputPath)
    {
    }

    /// <summary>
    /// An event store on the node's shared connection whose sorted-set members name the writing node: <paramref name="node"/>
    /// gives its HTTP base URL (e.g. <c>http://10.0.0.5:8080</c>) when an event is prepared, <c>null</c> while not known.
    /// </summary>
    public EventStoreActor(EventStoreSettings settings, RedisConnection connection, string outputPath, Func<string?> node)
        : this(settings, connection, ownsConnection: false, outputPath)
    {
        _node = node;
    }

    private EventStoreActor(EventStoreSettings settings, RedisConnection connection, bool ownsConnection, string outputPath)
    {
        _settings = settings;
        _connection = connection;
        _ownsConnection = ownsConnection;
        (_outboxDirectory, _outboxWarning) = settings.ResolveOutbox(outputPath);
        _deadLetters = new DeadLetterFile(_outboxDirectory);
        var sortedSet = new SortedSetEventSink(connection, settings.Keys);
        var list = new ListEventSink(connection, settings.Keys);
        // Both sinks stay available: an event waiting in the outbox is written by the sink it was prepared for, even
        // when the node restarted with the other store configured.
        _sinks = new Dictionary<string, IEventSink> { [sortedSet.Name] = sortedSet, [list.Name] = list };
        _sink = _sinks[settings.StoreName];
        try
        {
            // The same name the node's RetentionActor resolves: the one kept in TMP_PATH, or the configured one.
            _nodeId = NodeName.Resolve(settings.Retention.NodeName, outputPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _nodeIdFailure = ex;
        }
        _queue = new DeliveryQueue(settings.MaxQueued);
        _pump = new OutboxPump(settings.CompactAfter);
        _delivery = new DeliveryState(settings.PoisonAttempts, settings.UnreachableLogInterval);
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
        _log.Info("Event store: {0} store on {1}, outbox {2}, node {3}", _settings.StoreName, _connection.Settings, _outboxDirectory, _nodeId ?? "(none)");
        if (_outboxWarning is not null) _log.Warning("Event store: {0}", _outboxWarning);
        if (OutboxLocation.FileSystemOf(_outboxDirectory) is { } fileSystem && OutboxLocation.IsVolatile(fileSystem))
            _log.Warning("Event store: the outbox {0} is on a {1}, which a reboot empties: events accepted but not yet in Redis would be lost. Set registrator.events.outbox-path (or {2}) to a persistent folder",
                _outboxDirectory, fileSystem, OutboxLocation.DataVariable);
        if (_nodeIdFailure is not null)
            _log.Error(_nodeIdFailure, "Event store: no node name ({0}); events name no node, so any node's retention may remove them", _nodeIdFailure.Message);
        if (Context.System is ExtendedActorSystem { Provider: IClusterActorRefProvider })
            _pubSub = DistributedPubSub.Get(Context.System).Mediator;
        StartRecovery();
        _connection.GetAsync().PipeTo(Self, success: m => new RedisConnected(m), failure: ex => new RedisConnectFailed(Unwrap(ex)));
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        if (_multiplexer is not null && _onRestored is not null) _multiplexer.ConnectionRestored -= _onRestored;
        if (_outbox is not null) _outbox.Dispose();
        else
        {
            // A recovery still running (or finished but not yet received) owns the folder's lock: release it when done.
            _recovery?.ContinueWith(static t => { if (t.IsCompletedSuccessfully) t.Result.Outbox.Dispose(); }, TaskScheduler.Default);
        }
        if (_ownsConnection) _connection.Dispose();
        _stopping.Dispose();
        if (_pump.Waiting > 0)
            _log.Warning("Event store stopped with {0} events not yet in the outbox (never acknowledged; their tasks report the registration as failed)", _pump.Waiting);
    }

    /// <summary>Reading the outbox: new events wait (unacknowledged) so that recovered ones go first.</summary>
    private void Recovering()
    {
        Receive<RecordEvent>(HandleRecord);
        Receive<Recovered>(HandleRecovered);
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
            _delivery.RetryNow();
            TryDeliver();
        });
        CommonHandlers();
    }

    private void CommonHandlers()
    {
        Receive<RedisConnected>(HandleRedisConnected);
        Receive<RedisConnectFailed>(failed => _log.Warning("Redis {0}: could not create the connection ({1}); retrying with the next event", _connection.Settings.Endpoint, failed.Cause.Message));
        Receive<RedisRestored>(_ => HandleRedisRestored());
        // Unknown while recovering: the outbox may hold events whose files have no record yet.
        Receive<GetUndelivered>(_ => Sender.Tell(new Undelivered(_outbox is null ? null : _undelivered + _pump.Waiting)));
    }

    // ── Recovery ────────────────────────────────────────────────────────────────────────────────────────────────

    private void StartRecovery()
    {
        var directory = _outboxDirectory;
        var maxInMemory = _settings.MaxQueued;
        var sinks = _sinks;
        _recovery = Task.Run(() =>
        {
            var outbox = Outbox.Open(directory, sinks.ContainsKey);
            try
            {
                return new Recovered(outbox, outbox.Recover(maxInMemory));
            }
            catch
            {
                outbox.Dispose();
                throw;
            }
        });
        _recovery.PipeTo(Self, success: r => r, failure: ex => new RecoveryFailed(Unwrap(ex)));
    }

    private void HandleRecovered(Recovered recovered)
    {
        _outbox = recovered.Outbox;
        _recovery = null;
        var recovery = recovered.Recovery;
        foreach (var problem in recovery.Problems.Take(ProblemsLogged))
        {
            if (problem.AtTail)
                _log.Warning("Outbox {0}: skipped its unreadable last line {1} (offset {2}), most likely an append cut short by a crash: {3}",
                    _outbox.FilePath, problem.LineNumber, problem.Offset, problem.Reason);
            else
                _log.Warning("Outbox {0}: skipped unreadable line {1} (offset {2}): {3}", _outbox.FilePath, problem.LineNumber, problem.Offset, problem.Reason);
        }
        if (recovery.Problems.Count > ProblemsLogged)
            _log.Warning("Outbox {0}: skipped {1} more unreadable lines", _outbox.FilePath, recovery.Problems.Count - ProblemsLogged);
        if (recovery.Pending > 0)
            _log.Info("Outbox {0}: {1} events from before the restart are delivered first ({2} already delivered were compacted away)",
                _outbox.FilePath, recovery.Pending, recovery.Delivered);
        _queue.Start(recovery.InMemory, recovery.SpillOffset);
        _undelivered = recovery.Pending;
        Become(Running);
        TryDeliver();
        PumpOutbox();
    }

    private void HandleRecoveryFailed(RecoveryFailed failed)
    {
        _recovery = null;
        _recoveryAttempt++;
        var delay = NextDelay(_recoveryAttempt);
        _log.Error(failed.Cause, "Outbox {0} cannot be opened (attempt {1}); events are not acknowledged until it can. Retrying in {2:g}",
            _outboxDirectory, _recoveryAttempt, delay);
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
            pending = _sink.Prepare(record.Event, Origin());
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
        Task<object> work = operation switch
        {
            // Done lines first, then the adds; flushed to disk when it holds adds (their EventAccepted waits for it).
            OutboxOperation.Append append => Task.Run<object>(() =>
            {
                var lines = new List<byte[]>(append.Done.Count + append.Adds.Count);
                lines.AddRange(append.Done.Select(OutboxLine.Done));
                lines.AddRange(append.Adds.Select(a => OutboxLine.Added(a.Pending)));
                return outbox.Append(lines, durable: append.Adds.Count > 0).Skip(append.Done.Count).ToArray();
            }),
            OutboxOperation.Truncate => Task.Run<object>(() =>
            {
                outbox.Truncate();
                return operation;
            }),
            // The delivery queue's window is the first undelivered adds in the file; it can only shrink until this is done.
            OutboxOperation.Compact compact => CompactAsync(outbox, compact.Done.ToHashSet(), _queue.Count),
            _ => ReadBackAsync(outbox, _queue.SpillOffset!.Value, _settings.MaxQueued),
        };
        work.PipeTo(Self, success: result => new OutboxDone(operation, result), failure: ex => new OutboxFailed(operation, Unwrap(ex)));
    }

    private static Task<object> CompactAsync(Outbox outbox, HashSet<Guid> alsoDone, int inMemory) =>
        Task.Run<object>(() => outbox.CompactLive(alsoDone, inMemory));

    private static Task<object> ReadBackAsync(Outbox outbox, long from, int max) =>
        Task.Run<object>(() => outbox.ReadFrom(from, max));

    private void HandleOutboxDone(OutboxDone done)
    {
        _pump.Succeeded(done.Operation);
        switch (done.Operation, done.Result)
        {
            case (OutboxOperation.Append append, long[] offsets):
                for (var i = 0; i < append.Adds.Count; i++)
                {
                    var accepted = append.Adds[i];
                    Reply(accepted.Sender, new EventAccepted(accepted.Pending.EventId));
                    _queue.Offer(accepted.Pending, accepted.ReplyTo, offsets[i]);
                }
                _undelivered += append.Adds.Count;
                break;
            case (OutboxOperation.Compact, OutboxCompaction c):
                _queue.Rebase(c.SpillOffset);
                if (_log.IsDebugEnabled)
                    _log.Debug("Outbox {0}: compacted from {1} to {2} bytes, {3} undelivered events kept", _outbox!.FilePath, c.LengthBefore, c.LengthAfter, c.Pending);
                break;
            case (OutboxOperation.Refill, OutboxBatch batch):
                foreach (var problem in batch.Problems.Take(ProblemsLogged))
                    _log.Error("Outbox {0}: unreadable line at offset {1} while reading back queued events, skipped: {2}", _outbox!.FilePath, problem.Offset, problem.Reason);
                _undelivered -= batch.Problems.Count;
                _queue.Refill(batch.Events, batch.NextOffset);
                if (_log.IsDebugEnabled) _log.Debug("Outbox: read back {0} queued events", batch.Events.Count);
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
        var operation = failed.Operation switch
        {
            OutboxOperation.Append => "append to",
            OutboxOperation.Truncate => "truncate",
            OutboxOperation.Compact => "compact",
            _ => "read",
        };
        _log.Error(failed.Cause, "Outbox {0}: could not {1} it (attempt {2}), {3} events wait unacknowledged; retrying in {4:g}",
            _outbox!.FilePath, operation, attempt, _pump.Waiting, delay);
        Timers.StartSingleTimer(RetryOutbox.Instance, RetryOutbox.Instance, delay);
    }

    // ── Redis ───────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>Writes the oldest undelivered event, unless a write is in flight or the store is backing off.</summary>
    private void TryDeliver()
    {
        // Every change of _undelivered (recovery, append, refill, delivery) is followed by a call here.
        _metrics.SetOutboxDepth(_undelivered);
        if (!_delivery.CanStart || _queue.Head is not { } head) return;
        _delivery.Started();
        var eventId = head.Pending.EventId;
        _sinks[head.Pending.Sink].WriteAsync(head.Pending, _stopping.Token)
            .PipeTo(Self, success: () => new Delivered(eventId), failure: ex => new DeliveryFailed(eventId, Unwrap(ex)));
    }

    private void HandleDelivered(Delivered delivered)
    {
        if (_queue.Head?.Pending.EventId != delivered.EventId)
        {
            _delivery.Abandoned();
            return;
        }
        var delivery = _queue.Dequeue();
        _undelivered--;
        if (_delivery.Delivered(DateTimeOffset.UtcNow) is { } outage)
            _log.Info("Redis {0} is back after {1:g}; {2} more waiting events follow", _connection.Settings.Endpoint, outage, _undelivered);
        _pump.Done(delivered.EventId);
        Announce(delivery);
        TryDeliver();
        PumpOutbox();
    }

    private void HandleDeliveryFailed(DeliveryFailed failed)
    {
        if (_queue.Head is not { } head || head.Pending.EventId != failed.EventId)
        {
            _delivery.Abandoned();
            TryDeliver();
            return;
        }
        var endpoint = _connection.Settings.Endpoint;
        var verdict = _delivery.Failed(failed.Cause, DateTimeOffset.UtcNow);
        if (verdict == DeliveryVerdict.DeadLetter)
        {
            StartDeadLetter(head, failed.Cause);
            return;
        }
        var delay = NextDelay(_delivery.Attempt);
        if (_delivery.PermanentFailures > 0 && RedisErrors.IsPermanent(failed.Cause))
            _log.Warning("Redis {0} refused event {1} of task {2} ({3}); attempt {4} of {5} before it goes to the dead letters",
                endpoint, failed.EventId, head.Pending.Event.TaskKey, failed.Cause.Message, _delivery.PermanentFailures, _settings.PoisonAttempts);
        else if (verdict == DeliveryVerdict.RetryFirstFailure)
            _log.Warning(failed.Cause, "Redis {0} did not take event {1}; {2} events wait in the outbox and are retried with back-off, in order",
                endpoint, failed.EventId, _undelivered);
        else if (verdict == DeliveryVerdict.RetryReminder)
            _log.Warning("Redis {0} still failing after {1} attempts over {2:g} ({3}: {4}); {5} events wait in the outbox",
                endpoint, _delivery.Attempt, DateTimeOffset.UtcNow - _delivery.FailingSince!.Value, failed.Cause.GetType().Name, failed.Cause.Message, _undelivered);
        else if (_log.IsDebugEnabled)
            _log.Debug("Redis {0}: attempt {1} failed ({2}); next in {3:g}", endpoint, _delivery.Attempt, failed.Cause.Message, delay);
        Timers.StartSingleTimer(RetryDelivery.Instance, RetryDelivery.Instance, delay);
    }

    /// <summary>Writes the head event to the dead-letter file; deliveries stay paused until that is done.</summary>
    private void StartDeadLetter(Delivery head, Exception cause)
    {
        var letter = new DeadLetter(head.Pending, cause.Message, _delivery.PermanentFailures, DateTimeOffset.UtcNow);
        var file = _deadLetters;
        Task.Run(() => file.Append(letter))
            .PipeTo(Self, success: () => new DeadLettered(letter), failure: ex => new DeadLetterFailed(letter.EventId, Unwrap(ex)));
    }

    private void HandleDeadLettered(DeadLettered dead)
    {
        var letter = dead.Letter;
        if (_queue.Head?.Pending.EventId != letter.EventId)
        {
            _delivery.Abandoned();
            return;
        }
        var delivery = _queue.Dequeue();
        _undelivered--;
        _delivery.DeadLettered();
        // Out of the outbox like a delivered event: the dead-letter file holds it now.
        _pump.Done(letter.EventId);
        _metrics.EventDeadLettered();
        var e = delivery.Pending.Event;
        _log.Error("Event {0} of task {1} moved to the dead letters {2} after {3} attempts: Redis refused it ({4}). It is NOT in Redis; " +
                   "fix the cause and run `registrator dead-letters replay`. {5} more events follow",
            letter.EventId, e.TaskKey, _deadLetters.FilePath, letter.Attempts, letter.Reason, _undelivered);
        Reply(delivery.ReplyTo, new TaskEvents.RegistrationFailed(e.TaskKey, $"event {letter.EventId} was not recorded: Redis refused it ({letter.Reason}); kept in the dead letters"));
        Context.System.EventStream.Publish(new EventDeadLettered(letter.EventId, e.TaskKey, letter.Reason));
        TryDeliver();
        PumpOutbox();
    }

    private void HandleDeadLetterFailed(DeadLetterFailed failed)
    {
        var delay = NextDelay(_delivery.DeadLetterFailed());
        // The event stays at the head; the next permanent refusal tries the dead-letter file again.
        _log.Error(failed.Cause, "Event {0}: could not write it to the dead letters {1} ({2}); retrying in {3:g}", failed.EventId, _deadLetters.FilePath, failed.Cause.Message, delay);
        Timers.StartSingleTimer(RetryDelivery.Instance, RetryDelivery.Instance, delay);
    }

    private void HandleRedisConnected(RedisConnected connected)
    {
        if (_multiplexer is not null) return;
        _multiplexer = connected.Multiplexer;
        var self = Self;
        // Called on a client thread: it only sends a message, the actor decides.
        _onRestored = (_, _) => self.Tell(RedisRestored.Instance);
        _multiplexer.ConnectionRestored += _onRestored;
    }

    /// <summary>The client reconnected: retry now instead of sleeping out a long back-off.</summary>
    private void HandleRedisRestored()
    {
        if (!_delivery.Restored()) return;
        Timers.Cancel(RetryDelivery.Instance);
        TryDeliver();
    }

    /// <summary>Redis has the event: tell who asked, the node and the cluster.</summary>
    private void Announce(Delivery delivery)
    {
        var (registered, recorded) = EventAnnouncement.Of(delivery.Pending, Origin);
        Reply(delivery.ReplyTo, registered);
        Context.System.EventStream.Publish(registered);
        _metrics.EventRegistered(withClip: registered.Error is null);
        Context.System.EventStream.Publish(recorded);
        _pubSub?.Tell(new Publish(Topic, registered));
    }

    // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

    private EventOrigin Origin() => new(_node?.Invoke(), _nodeId);

    private TimeSpan NextDelay(int attempt) =>
        Backoff.Delay(attempt, _settings.MinBackoff, _settings.MaxBackoff, _settings.RandomFactor, Random.Shared.NextDouble());

    /// <summary>Replies only to real actors: a task registering by itself passes Nobody.</summary>
    private void Reply(IActorRef recipient, object message)
    {
        if (recipient.IsNobody() || recipient.Equals(Context.System.DeadLetters)) return;
        recipient.Tell(message);
    }

    private static Exception Unwrap(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : exception;

    // ── Messages the actor sends itself ─────────────────────────────────────────────────────────────────────────

    private interface IInternal : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    private sealed record Recovered(Outbox Outbox, OutboxRecovery Recovery) : IInternal;
    private sealed record RecoveryFailed(Exception Cause) : IInternal;
    private sealed record OutboxDone(OutboxOperation Operation, object Result) : IInternal;
    private sealed record OutboxFailed(OutboxOperation Operation, Exception Cause) : IInternal;
    private sealed record Delivered(Guid EventId) : IInternal;
    private sealed record DeliveryFailed(Guid EventId, Exception Cause) : IInternal;
    private sealed record DeadLettered(DeadLetter Letter) : IInternal;
    private sealed record DeadLetterFailed(Guid EventId, Exception Cause) : IInternal;
    private sealed record RedisConnected(IConnectionMultiplexer Multiplexer) : IInternal;
    private sealed record RedisConnectFailed(Exception Cause) : IInternal;

    private sealed class RedisRestored : IInternal
    {
        public static readonly RedisRestored Instance = new();
        private RedisRestored() { }
    }

    private sealed class RetryDelivery : IInternal
    {
        public static readonly RetryDelivery Instance = new();
        private RetryDelivery() { }
    }

    private sealed class RetryOutbox : IInternal
    {
        public static readonly RetryOutbox Instance = new();
        private RetryOutbox() { }
    }

    private sealed class RetryRecovery : IInternal
    {
        public static readonly RetryRecovery Instance = new();
        private RetryRecovery() { }
    }
}
