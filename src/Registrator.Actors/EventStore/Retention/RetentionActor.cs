using Akka.Actor;
using Akka.Event;
using Registrator.Actors.Configuration;
using Registrator.Actors.Metrics;
using Registrator.Actors.Redis;

namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// A node's retention, one per node that writes event files (beside its <see cref="EventStoreActor"/>): on its
/// timers it tells the registry in Redis that the node is alive, removes expired records and deletes the files this
/// node holds (<see cref="EventRetention"/>, <see cref="RetentionPolicy"/>), and sweeps the node's output folder for
/// orphans (<see cref="OrphanSweep"/>). Answers <see cref="RunRetention"/> and <see cref="RunOrphanSweep"/>; publishes
/// each <see cref="RetentionResult"/> and <see cref="OrphanSweepResult"/> on the node's event stream and counts them.
/// <code>
///   heartbeat timer ── HSET registrator:nodes &lt;node_id&gt; now   (a failure is logged once, until one succeeds)
///   retention timer ── one run at a time, off the actor's thread ──► RetentionResult
///   sweep timer ───── GetUndelivered to the event store ─ 0 ──► one sweep off the actor's thread ──► OrphanSweepResult
///                                                        └ more, or unknown ──► skipped (their files have no record yet)
/// </code>
/// </summary>
public sealed class RetentionActor : ReceiveActor, IWithTimers
{
    /// <summary>The name a node gives its retention actor.</summary>
    public const string DefaultName = "retention";

    private readonly EventStoreSettings _settings;
    private readonly RetentionSettings _retention;
    private readonly IActorRef _store;
    private readonly EventRetention _run;
    private readonly Exception? _nameFailure;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);

    private readonly List<IActorRef> _retentionWaiters = [];
    private readonly List<IActorRef> _sweepWaiters = [];
    private bool _retentionRunning;
    private bool _sweepRunning;
    private bool _heartbeatFailing;
    private HashSet<string> _lastWaitingFor = [];

    /// <param name="settings">The node's <c>registrator.events</c> (store, keys, retention).</param>
    /// <param name="connection">The node's shared Redis connection (not closed here).</param>
    /// <param name="outputPath">TMP_PATH: the only folder whose files this actor deletes.</param>
    /// <param name="eventStore">The node's event store, asked for its undelivered events before each sweep.</param>
    public RetentionActor(EventStoreSettings settings, RedisConnection connection, string outputPath, IActorRef eventStore)
    {
        _settings = settings;
        _retention = settings.Retention;
        _store = eventStore;
        string? self = null;
        try
        {
            self = NodeName.Resolve(_retention.NodeName, outputPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _nameFailure = ex;
        }
        _run = new EventRetention(connection, settings, self, new OutputPathGuard(outputPath));

        Receive<HeartbeatTick>(_ => HandleHeartbeatTick());
        Receive<HeartbeatDone>(_ => HandleHeartbeatDone());
        Receive<HeartbeatFailed>(HandleHeartbeatFailed);
        Receive<RetentionTick>(_ => StartRetention());
        Receive<RunRetention>(_ => HandleRunRetention());
        Receive<RetentionDone>(HandleRetentionDone);
        Receive<RetentionFailed>(HandleRetentionFailed);
        Receive<SweepTick>(_ => StartSweep());
        Receive<RunOrphanSweep>(_ => HandleRunOrphanSweep());
        Receive<Undelivered>(HandleUndelivered);
        Receive<SweepDone>(HandleSweepDone);
        Receive<SweepFailed>(HandleSweepFailed);
        Receive<BackfillDone>(done =>
        {
            if (done.Seen >= 0) _log.Info("Event index: indexed the {0} members of {1} written before the indexes existed", done.Seen, _settings.Keys.SortedSet);
        });
        Receive<BackfillFailed>(failed =>
            _log.Warning("Event index: the backfill of {0} failed ({1}); queries by key or id read the sorted set itself until a node's next start completes it",
                _settings.Keys.SortedSet, failed.Cause.Message));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(EventStoreSettings settings, RedisConnection connection, string outputPath, IActorRef eventStore) =>
        Akka.Actor.Props.Create(() => new RetentionActor(settings, connection, outputPath, eventStore));

    protected override void PreStart()
    {
        if (_nameFailure is not null)
            _log.Error(_nameFailure, "Retention: cannot keep this node's name in {0} ({1}); its events name no node, so any node may remove them",
                _run.OutputRoot, _nameFailure.Message);
        _log.Info("Retention on {0} as node {1}: {2}; files in {3}; orphan sweep {4}",
            _settings.Store == EventStoreKind.List ? _settings.Keys.ListPrefix + "*" : _settings.Keys.SortedSet, _run.Self ?? "(none)",
            _retention.Enabled ? $"every {_retention.Interval:g}, max-age {_retention.MaxAge:g}, max-events {_retention.MaxEvents}, abandon-after {_retention.AbandonAfter:g}" : "off",
            _run.OutputRoot,
            _retention.OrphanSweepInterval > TimeSpan.Zero ? $"every {_retention.OrphanSweepInterval:g}, grace {_retention.OrphanGrace:g}" : "off");
        if (_run.Self is not null)
        {
            // Even with retention off here: other nodes must see that this one still holds its files.
            Self.Tell(HeartbeatTick.Instance);
            Timers.StartPeriodicTimer(HeartbeatTick.Instance, HeartbeatTick.Instance, _retention.HeartbeatInterval);
        }
        // Once per sorted set (a marker in Redis says it is done): members from before the indexes get their entries.
        var run = _run;
        var token = _stopping.Token;
        Task.Run(() => run.BackfillIndexAsync(token)).PipeTo(Self, success: n => new BackfillDone(n), failure: ex => new BackfillFailed(Replies.Unwrap(ex)));
        if (_retention.Enabled)
            Timers.StartPeriodicTimer(RetentionTick.Instance, RetentionTick.Instance, _retention.Interval);
        if (_retention.OrphanSweepInterval > TimeSpan.Zero)
            Timers.StartPeriodicTimer(SweepTick.Instance, SweepTick.Instance, _retention.OrphanSweepInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    // ── Heartbeat ───────────────────────────────────────────────────────────────────────────────────────────────

    private void HandleHeartbeatTick()
    {
        var run = _run;
        var token = _stopping.Token;
        run.HeartbeatAsync(DateTimeOffset.UtcNow, token).PipeTo(Self, success: () => HeartbeatDone.Instance, failure: ex => new HeartbeatFailed(Replies.Unwrap(ex)));
    }

    private void HandleHeartbeatDone()
    {
        if (!_heartbeatFailing) return;
        _heartbeatFailing = false;
        _log.Info("Retention: heartbeat of node {0} reaches Redis again", _run.Self);
    }

    private void HandleHeartbeatFailed(HeartbeatFailed failed)
    {
        if (_heartbeatFailing) return;
        _heartbeatFailing = true;
        _log.Warning("Retention: heartbeat of node {0} failed ({1}); other nodes take this node for gone after {2:g} without one",
            _run.Self, failed.Cause.Message, _retention.AbandonAfter);
    }

    // ── Retention ───────────────────────────────────────────────────────────────────────────────────────────────

    private void HandleRunRetention()
    {
        _retentionWaiters.Add(Sender);
        StartRetention();
    }

    private void StartRetention()
    {
        if (_retentionRunning) return;
        _retentionRunning = true;
        var run = _run;
        var token = _stopping.Token;
        // Task.Run: the run deletes files, which must not happen on the actor's thread.
        Task.Run(() => run.RunAsync(DateTimeOffset.UtcNow, token))
            .PipeTo(Self, success: r => new RetentionDone(r.Result, r.WaitingFor), failure: ex => new RetentionFailed(Replies.Unwrap(ex)));
    }

    private void HandleRetentionDone(RetentionDone done)
    {
        _retentionRunning = false;
        var r = done.Result;
        _metrics.RetentionRan(r);
        var where = _settings.Store == EventStoreKind.List ? _settings.Keys.ListPrefix + "*" : _settings.Keys.SortedSet;
        if (r.Removed > 0 || r.Abandoned > 0)
            _log.Info("Retention: removed {0} expired events from {1} and deleted {2} files and {3} folders of this node; removed {4} of gone nodes; {5} wait for the nodes holding their files",
                r.Removed, where, r.FilesDeleted, r.FoldersDeleted, r.Abandoned, r.Waiting);
        else if (r.Waiting > 0 && _log.IsDebugEnabled)
            _log.Debug("Retention: {0} expired events in {1} wait for the nodes holding their files", r.Waiting, where);
        else if (_log.IsDebugEnabled)
            _log.Debug("Retention: nothing to remove from {0}", where);
        // Which nodes hold expired events back, and how many; logged when that set changes (a node that is down
        // would repeat every run), and always counted in registrator.retention.events_waiting.
        if (done.WaitingFor.Count > 0 && (r.Removed > 0 || r.Abandoned > 0 || !done.WaitingFor.Keys.ToHashSet().SetEquals(_lastWaitingFor)))
            _log.Info("Retention: expired events waiting for the nodes that hold their files: {0}",
                string.Join(", ", done.WaitingFor.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key} ({w.Value})")));
        _lastWaitingFor = done.WaitingFor.Keys.ToHashSet();
        if (r.Refused > 0)
            _log.Warning("Retention: refused to delete {0} paths that lead outside {1} (or through a link); their events were removed from Redis", r.Refused, _run.OutputRoot);
        if (r.Failed > 0)
            _log.Warning("Retention: could not delete {0} files (permissions or I/O errors); the orphan sweep tries again", r.Failed);
        Context.System.EventStream.Publish(r);
        foreach (var waiter in _retentionWaiters) Reply(waiter, r);
        _retentionWaiters.Clear();
    }

    private void HandleRetentionFailed(RetentionFailed failed)
    {
        _retentionRunning = false;
        _log.Warning("Retention failed ({0}: {1}); the next run retries", failed.Cause.GetType().Name, failed.Cause.Message);
        foreach (var waiter in _retentionWaiters) Reply(waiter, new Status.Failure(failed.Cause));
        _retentionWaiters.Clear();
    }

    // ── Orphan sweep ────────────────────────────────────────────────────────────────────────────────────────────

    private void HandleRunOrphanSweep()
    {
        _sweepWaiters.Add(Sender);
        StartSweep();
    }

    private void StartSweep()
    {
        if (_sweepRunning) return;
        _sweepRunning = true;
        _store.Ask<Undelivered>(GetUndelivered.Instance, _retention.StoreTimeout)
            .PipeTo(Self, failure: ex => new SweepFailed(new TimeoutException($"the event store did not say what it has not yet delivered ({Replies.Unwrap(ex).Message})")));
    }

    private void HandleUndelivered(Undelivered undelivered)
    {
        if (undelivered.Count is not 0)
        {
            var reason = undelivered.Count is { } count
                ? $"{count} events are not yet in Redis"
                : "the event store is still reading its outbox";
            FinishSweep(OrphanSweepResult.SkippedBecause(reason));
            return;
        }
        var run = _run;
        var token = _stopping.Token;
        Task.Run(() => run.SweepAsync(DateTimeOffset.UtcNow, token))
            .PipeTo(Self, success: r => new SweepDone(r), failure: ex => new SweepFailed(Replies.Unwrap(ex)));
    }

    private void HandleSweepDone(SweepDone done) => FinishSweep(done.Result);

    private void FinishSweep(OrphanSweepResult r)
    {
        _sweepRunning = false;
        _metrics.OrphansSwept(r);
        if (r.Skipped is not null)
            _log.Info("Orphan sweep of {0} skipped: {1}; the next sweep tries again", _run.OutputRoot, r.Skipped);
        else if (r.FilesDeleted > 0)
            _log.Info("Orphan sweep of {0}: deleted {1} files and {2} folders that no event in Redis names ({3} event files seen)",
                _run.OutputRoot, r.FilesDeleted, r.FoldersDeleted, r.FilesSeen);
        else if (_log.IsDebugEnabled)
            _log.Debug("Orphan sweep of {0}: no orphans among {1} event files", _run.OutputRoot, r.FilesSeen);
        if (r.Failed > 0)
            _log.Warning("Orphan sweep of {0}: could not delete {1} orphans (permissions, I/O errors or links); the next sweep tries again", _run.OutputRoot, r.Failed);
        Context.System.EventStream.Publish(r);
        foreach (var waiter in _sweepWaiters) Reply(waiter, r);
        _sweepWaiters.Clear();
    }

    private void HandleSweepFailed(SweepFailed failed)
    {
        _sweepRunning = false;
        _log.Warning("Orphan sweep of {0} failed, nothing deleted ({1}: {2}); the next sweep retries", _run.OutputRoot, failed.Cause.GetType().Name, failed.Cause.Message);
        foreach (var waiter in _sweepWaiters) Reply(waiter, new Status.Failure(failed.Cause));
        _sweepWaiters.Clear();
    }

    // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

    private void Reply(IActorRef recipient, object message) => recipient.TellIfListening(message, Context.System);

    // ── Messages the actor sends itself ─────────────────────────────────────────────────────────────────────────

    private sealed record HeartbeatFailed(Exception Cause) : ISelfMessage;
    private sealed record BackfillDone(long Seen) : ISelfMessage;
    private sealed record BackfillFailed(Exception Cause) : ISelfMessage;
    private sealed record RetentionDone(RetentionResult Result, IReadOnlyDictionary<string, long> WaitingFor) : ISelfMessage;
    private sealed record RetentionFailed(Exception Cause) : ISelfMessage;
    private sealed record SweepDone(OrphanSweepResult Result) : ISelfMessage;
    private sealed record SweepFailed(Exception Cause) : ISelfMessage;

    private sealed record HeartbeatTick : ISelfMessage { public static readonly HeartbeatTick Instance = new(); }
    private sealed record HeartbeatDone : ISelfMessage { public static readonly HeartbeatDone Instance = new(); }
    private sealed record RetentionTick : ISelfMessage { public static readonly RetentionTick Instance = new(); }
    private sealed record SweepTick : ISelfMessage { public static readonly SweepTick Instance = new(); }
}
