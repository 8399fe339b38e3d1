using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Event;
using Registrator.Actors.Metrics;
using Registrator.Actors.Redis;
using Registrator.Contracts;
using StackExchange.Redis;

namespace Registrator.Actors.Events;

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

    // Outbox: events waiting to be appended, done lines waiting to be written, and the one file operation in flight.
    private readonly List<Accepting> _toAppend = [];
    private readonly List<Guid> _doneToWrite = [];
    private Task<Recovered>? _recovery;
    private Outbox? _outbox;
    private bool _outboxBusy;
    private bool _outboxBackingOff;
    private int _outboxAttempt;
    private int _recoveryAttempt;
    private int _doneInFile;

    // Redis: the one write in flight, the back-off after failures, and when Redis was last seen failing.
    private bool _writing;
    private bool _deliveryBackingOff;
    private int _deliveryAttempt;
    // Permanent failures of the head event; it goes to the dead letters at poison-attempts.
    private int _permanentFailures;
    private DateTimeOffset? _failingSince;
    private DateTimeOffset _lastFailureLog;
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

    /// <summary><c>registrator.media.output-path</c> (TMP_PATH), fully resolved; "/tmp" when it is not configured.</summary>
    public static string OutputPathOf(Config config)
    {
        var path = config.GetString("registrator.media.output-path", "");
        return Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? "/tmp" : path);
    }

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
        if (_toAppend.Count > 0)
            _log.Warning("Event store stopped with {0} events not yet in the outbox (never acknowledged; their tasks report the registration as failed)", _toAppend.Count);
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
        Receive<Appended>(HandleAppended);
        Receive<AppendFailed>(HandleAppendFailed);
        Receive<Truncated>(_ =>
        {
            _doneInFile = 0;
            HandleOutboxOperationDone();
        });
        Receive<Compacted>(HandleCompacted);
        Receive<Refilled>(HandleRefilled);
        Receive<OutboxFailed>(HandleOutboxFailed);
        Receive<RetryOutbox>(_ =>
        {
            _outboxBackingOff = false;
            PumpOutbox();
        });
        Receive<Delivered>(HandleDelivered);
        Receive<DeliveryFailed>(HandleDeliveryFailed);
        Receive<DeadLettered>(HandleDeadLettered);
        Receive<DeadLetterFailed>(HandleDeadLetterFailed);
        Receive<RetryDelivery>(_ =>
        {
            _deliveryBackingOff = false;
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
        Receive<GetUndelivered>(_ => Sender.Tell(new Undelivered(_outbox is null ? null : _undelivered + _toAppend.Count)));
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
        _toAppend.Add(new Accepting(pending, sender, record.ReplyTo));
        PumpOutbox();
    }

    /// <summary>Starts the next file operation if none is running: write what waits, else read spilled events back.</summary>
    private void PumpOutbox()
    {
        if (_outbox is not { } outbox || _outboxBusy || _outboxBackingOff) return;
        if (_toAppend.Count == 0 && _doneToWrite.Count > 0 && _queue.IsDrained) StartTruncate(outbox);
        // However busy the queue, so the file stays bounded under steady load (truncation needs a drained queue).
        else if (_doneInFile + _doneToWrite.Count >= _settings.CompactAfter) StartCompaction(outbox);
        else if (_toAppend.Count > 0 || _doneToWrite.Count > 0) StartAppend(outbox);
        else if (_queue.NeedsRefill) StartRefill(outbox);
    }

    /// <summary>
    /// One write for everything waiting (group commit): done lines, then new events, flushed to disk when it holds
    /// events. Their EventAccepted goes out when it completes.
    /// </summary>
    private void StartAppend(Outbox outbox)
    {
        var adds = _toAppend.ToArray();
        var done = _doneToWrite.ToArray();
        _toAppend.Clear();
        _doneToWrite.Clear();
        _outboxBusy = true;
        Task.Run(() =>
        {
            var lines = new List<byte[]>(done.Length + adds.Length);
            lines.AddRange(done.Select(OutboxLine.Done));
            lines.AddRange(adds.Select(a => OutboxLine.Added(a.Pending)));
            return outbox.Append(lines, durable: adds.Length > 0).Skip(done.Length).ToArray();
        }).PipeTo(Self, success: offsets => new Appended(adds, offsets, done.Length), failure: ex => new AppendFailed(adds, done, Unwrap(ex)));
    }

    private void StartTruncate(Outbox outbox)
    {
        var done = _doneToWrite.ToArray();
        _doneToWrite.Clear();
        _outboxBusy = true;
        Task.Run(outbox.Truncate).PipeTo(Self, success: () => Truncated.Instance, failure: ex => new OutboxFailed("truncate", done, Unwrap(ex)));
    }

    /// <summary>Rewrites the file with only its undelivered adds; the done lines waiting to be written are folded in.</summary>
    private void StartCompaction(Outbox outbox)
    {
        var done = _doneToWrite.ToArray();
        _doneToWrite.Clear();
        _outboxBusy = true;
        var alsoDone = done.ToHashSet();
        // The delivery queue's window is the first undelivered adds in the file; it can only shrink until this is done.
        var inMemory = _queue.Count;
        Task.Run(() => outbox.CompactLive(alsoDone, inMemory))
            .PipeTo(Self, success: c => new Compacted(c), failure: ex => new OutboxFailed("compact", done, Unwrap(ex)));
    }

    private void HandleCompacted(Compacted compacted)
    {
        var c = compacted.Result;
        _doneInFile = 0;
        _queue.Rebase(c.SpillOffset);
        if (_log.IsDebugEnabled)
            _log.Debug("Outbox {0}: compacted from {1} to {2} bytes, {3} undelivered events kept", _outbox!.FilePath, c.LengthBefore, c.LengthAfter, c.Pending);
        HandleOutboxOperationDone();
    }

    private void StartRefill(Outbox outbox)
    {
        var from = _queue.SpillOffset!.Value;
        var max = _settings.MaxQueued;
        _outboxBusy = true;
        Task.Run(() => outbox.ReadFrom(from, max)).PipeTo(Self, success: batch => new Refilled(batch), failure: ex => new OutboxFailed("read", [], Unwrap(ex)));
    }

    private void HandleAppended(Appended appended)
    {
        for (var i = 0; i < appended.Adds.Count; i++)
        {
            var accepting = appended.Adds[i];
            Reply(accepting.Sender, new EventAccepted(accepting.Pending.EventId));
            _queue.Offer(accepting.Pending, accepting.ReplyTo, appended.Offsets[i]);
        }
        _undelivered += appended.Adds.Count;
        _doneInFile += appended.Done;
        HandleOutboxOperationDone();
    }

    private void HandleAppendFailed(AppendFailed failed)
    {
        // Back at the front, in order: nothing was acknowledged, so nothing is lost; the next attempt writes them again.
        _toAppend.InsertRange(0, failed.Adds);
        _doneToWrite.InsertRange(0, failed.Done);
        BackOffOutbox("append to", failed.Cause);
    }

    private void HandleRefilled(Refilled refilled)
    {
        foreach (var problem in refilled.Batch.Problems.Take(ProblemsLogged))
            _log.Error("Outbox {0}: unreadable line at offset {1} while reading back queued events, skipped: {2}", _outbox!.FilePath, problem.Offset, problem.Reason);
        _undelivered -= refilled.Batch.Problems.Count;
        _queue.Refill(refilled.Batch.Events, refilled.Batch.NextOffset);
        if (_log.IsDebugEnabled) _log.Debug("Outbox: read back {0} queued events", refilled.Batch.Events.Count);
        HandleOutboxOperationDone();
    }

    private void HandleOutboxFailed(OutboxFailed failed)
    {
        _doneToWrite.InsertRange(0, failed.Done);
        BackOffOutbox(failed.Operation, failed.Cause);
    }

    private void HandleOutboxOperationDone()
    {
        _outboxBusy = false;
        _outboxAttempt = 0;
        TryDeliver();
        PumpOutbox();
    }

    private void BackOffOutbox(string operation, Exception cause)
    {
        _outboxBusy = false;
        _outboxAttempt++;
        var delay = NextDelay(_outboxAttempt);
        _log.Error(cause, "Outbox {0}: could not {1} it (attempt {2}), {3} events wait unacknowledged; retrying in {4:g}",
            _outbox!.FilePath, operation, _outboxAttempt, _toAppend.Count, delay);
        _outboxBackingOff = true;
        Timers.StartSingleTimer(RetryOutbox.Instance, RetryOutbox.Instance, delay);
    }

    // ── Redis ───────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>Writes the oldest undelivered event, unless a write is in flight or the store is backing off.</summary>
    private void TryDeliver()
    {
        // Every change of _undelivered (recovery, append, refill, delivery) is followed by a call here.
        _metrics.SetOutboxDepth(_undelivered);
        if (_writing || _deliveryBackingOff || _queue.Head is not { } head) return;
        _writing = true;
        var eventId = head.Pending.EventId;
        _sinks[head.Pending.Sink].WriteAsync(head.Pending, _stopping.Token)
            .PipeTo(Self, success: () => new Delivered(eventId), failure: ex => new DeliveryFailed(eventId, Unwrap(ex)));
    }

    private void HandleDelivered(Delivered delivered)
    {
        _writing = false;
        if (_queue.Head?.Pending.EventId != delivered.EventId) return;
        var delivery = _queue.Dequeue();
        _undelivered--;
        _deliveryAttempt = 0;
        _permanentFailures = 0;
        if (_failingSince is { } since)
        {
            _log.Info("Redis {0} is back after {1:g}; {2} more waiting events follow", _connection.Settings.Endpoint, DateTimeOffset.UtcNow - since, _undelivered);
            _failingSince = null;
        }
        _doneToWrite.Add(delivered.EventId);
        Announce(delivery);
        TryDeliver();
        PumpOutbox();
    }

    private void HandleDeliveryFailed(DeliveryFailed failed)
    {
        _writing = false;
        if (_queue.Head is not { } head || head.Pending.EventId != failed.EventId)
        {
            TryDeliver();
            return;
        }
        if (RedisErrors.IsPermanent(failed.Cause))
        {
            _permanentFailures++;
            if (_permanentFailures >= _settings.PoisonAttempts)
            {
                StartDeadLetter(head, failed.Cause);
                return;
            }
            _log.Warning("Redis {0} refused event {1} of task {2} ({3}); attempt {4} of {5} before it goes to the dead letters",
                _connection.Settings.Endpoint, failed.EventId, head.Pending.Event.TaskKey, failed.Cause.Message, _permanentFailures, _settings.PoisonAttempts);
        }
        _deliveryAttempt++;
        var now = DateTimeOffset.UtcNow;
        var delay = NextDelay(_deliveryAttempt);
        if (_failingSince is null)
        {
            _failingSince = now;
            _lastFailureLog = now;
            _log.Warning(failed.Cause, "Redis {0} did not take event {1}; {2} events wait in the outbox and are retried with back-off, in order",
                _connection.Settings.Endpoint, failed.EventId, _undelivered);
        }
        else if (now - _lastFailureLog >= _settings.UnreachableLogInterval)
        {
            _lastFailureLog = now;
            _log.Warning("Redis {0} still failing after {1} attempts over {2:g} ({3}: {4}); {5} events wait in the outbox",
                _connection.Settings.Endpoint, _deliveryAttempt, now - _failingSince.Value, failed.Cause.GetType().Name, failed.Cause.Message, _undelivered);
        }
        else if (_log.IsDebugEnabled)
        {
            _log.Debug("Redis {0}: attempt {1} failed ({2}); next in {3:g}", _connection.Settings.Endpoint, _deliveryAttempt, failed.Cause.Message, delay);
        }
        _deliveryBackingOff = true;
        Timers.StartSingleTimer(RetryDelivery.Instance, RetryDelivery.Instance, delay);
    }

    /// <summary>Writes the head event to the dead-letter file; deliveries stay paused until that is done.</summary>
    private void StartDeadLetter(Delivery head, Exception cause)
    {
        _writing = true;
        var letter = new DeadLetter(head.Pending, cause.Message, _permanentFailures, DateTimeOffset.UtcNow);
        var file = _deadLetters;
        Task.Run(() => file.Append(letter))
            .PipeTo(Self, success: () => new DeadLettered(letter), failure: ex => new DeadLetterFailed(letter.EventId, Unwrap(ex)));
    }

    private void HandleDeadLettered(DeadLettered dead)
    {
        _writing = false;
        var letter = dead.Letter;
        if (_queue.Head?.Pending.EventId != letter.EventId) return;
        var delivery = _queue.Dequeue();
        _undelivered--;
        _deliveryAttempt = 0;
        _permanentFailures = 0;
        _failingSince = null;
        // Out of the outbox like a delivered event: the dead-letter file holds it now.
        _doneToWrite.Add(letter.EventId);
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
        _writing = false;
        _deliveryAttempt++;
        var delay = NextDelay(_deliveryAttempt);
        // The event stays at the head; the next permanent failure tries the dead-letter file again.
        _log.Error(failed.Cause, "Event {0}: could not write it to the dead letters {1} ({2}); retrying in {3:g}", failed.EventId, _deadLetters.FilePath, failed.Cause.Message, delay);
        _deliveryBackingOff = true;
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
        if (!_deliveryBackingOff) return;
        Timers.Cancel(RetryDelivery.Instance);
        _deliveryBackingOff = false;
        TryDeliver();
    }

    /// <summary>Redis has the event: tell who asked, the node and the cluster.</summary>
    private void Announce(Delivery delivery)
    {
        var e = delivery.Pending.Event;
        var registered = new TaskEvents.EventRegistered(e.TaskKey, e.EventId, e.VideoPath, e.ImagePath, e.Timestamp, e.Error);
        Reply(delivery.ReplyTo, registered);
        Context.System.EventStream.Publish(registered);
        _metrics.EventRegistered(withClip: e.Error is null);
        var member = delivery.Pending.Sink == SortedSetEventSink.SinkName ? delivery.Pending.Payload : EventMember.Build(e, Origin());
        Context.System.EventStream.Publish(new EventRecorded(e, member));
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

    private sealed record Accepting(PendingEvent Pending, IActorRef Sender, IActorRef ReplyTo);
    private sealed record Recovered(Outbox Outbox, OutboxRecovery Recovery) : IInternal;
    private sealed record RecoveryFailed(Exception Cause) : IInternal;
    private sealed record Appended(IReadOnlyList<Accepting> Adds, IReadOnlyList<long> Offsets, int Done) : IInternal;
    private sealed record Compacted(OutboxCompaction Result) : IInternal;
    private sealed record DeadLettered(DeadLetter Letter) : IInternal;
    private sealed record DeadLetterFailed(Guid EventId, Exception Cause) : IInternal;
    private sealed record AppendFailed(IReadOnlyList<Accepting> Adds, IReadOnlyList<Guid> Done, Exception Cause) : IInternal;
    private sealed record Refilled(OutboxBatch Batch) : IInternal;
    private sealed record OutboxFailed(string Operation, IReadOnlyList<Guid> Done, Exception Cause) : IInternal;
    private sealed record Delivered(Guid EventId) : IInternal;
    private sealed record DeliveryFailed(Guid EventId, Exception Cause) : IInternal;
    private sealed record RedisConnected(IConnectionMultiplexer Multiplexer) : IInternal;
    private sealed record RedisConnectFailed(Exception Cause) : IInternal;

    private sealed class Truncated : IInternal
    {
        public static readonly Truncated Instance = new();
        private Truncated() { }
    }

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
