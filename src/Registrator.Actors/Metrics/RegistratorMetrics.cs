using System.Diagnostics.Metrics;
using Akka.Actor;

namespace Registrator.Actors.Metrics;

/// <summary>
/// The node's instruments (System.Diagnostics.Metrics), one instance per actor system: an Akka extension, so actors reach
/// it with <see cref="For"/> and no constructor changes. TaskActor, EventStoreActor, EncoderActor and NatsBridge record
/// what happens; the node's host exports the <see cref="MeterName"/> meter (Prometheus text at <c>/metrics</c>).
/// Thread-safe: instruments are, and the observed values are read with <see cref="Interlocked"/>.
/// <para>
/// Each instance owns a meter of its own name, so two nodes in one process (the demo, the tests) never count into each
/// other's export: a meter listener selects meters by name, not by instance.
/// </para>
/// </summary>
public sealed class RegistratorMetrics : IExtension, IDisposable
{
    /// <summary>The meter name of the first instance in a process; later ones get <c>Registrator.2</c>, <c>Registrator.3</c>, …</summary>
    public const string DefaultMeterName = "Registrator";

    private static int _instances;

    private readonly Meter _meter;
    private readonly Counter<long> _statuses;
    private readonly Counter<long> _framesDropped;
    private readonly Counter<long> _gopsDropped;
    private readonly Counter<long> _taskState;
    private readonly Counter<long> _eventsRegistered;
    private readonly Counter<long> _eventsDeadLettered;
    private readonly Counter<long> _registrationsFailed;
    private readonly Counter<long> _clipsFailed;
    private readonly Histogram<double> _encodeDuration;
    private readonly Counter<long> _natsMessages;
    private readonly Counter<long> _natsConnectionProblems;
    private readonly Counter<long> _retentionEventsRemoved;
    private readonly Counter<long> _retentionFilesDeleted;
    private readonly Counter<long> _retentionOrphansDeleted;
    private readonly Counter<long> _retentionFilesFailed;
    private readonly Counter<long> _orphanSweepsSkipped;
    private readonly Counter<long> _handOffRedelivered;
    private long _retentionEventsWaiting;
    private long _tasksActive;
    private long _encoderSessions;
    private long _encoderSessionBytes;
    private long _outboxDepth;
    // Read back on each collection, so the metrics know nothing of the types they observe.
    private Func<(long Used, long Max)>? _frameBuffer;
    private Func<IEnumerable<KeyValuePair<string, long>>>? _badInput;

    /// <param name="meterName">Null: <see cref="DefaultMeterName"/> for the first instance in the process, numbered after it.</param>
    public RegistratorMetrics(string? meterName = null)
    {
        var instance = Interlocked.Increment(ref _instances);
        MeterName = meterName ?? (instance == 1 ? DefaultMeterName : $"{DefaultMeterName}.{instance}");
        _meter = new Meter(MeterName);

        _statuses = _meter.CreateCounter<long>("registrator.statuses", "{status}",
            "Statuses accepted by tasks, by detected (true/false).");
        _framesDropped = _meter.CreateCounter<long>("registrator.frames.dropped", "{frame}",
            "Frames dropped, by reason: task-limit (max-frames) or node-budget (max-buffer-bytes), whole GOPs; rate (closer than 1/fps to the previous kept frame); late (capture time older than the reorder window allows).");
        _taskState = _meter.CreateCounter<long>("registrator.task.state", "{task}",
            "Task state values carried between incarnations through Redis, by outcome: saved, restored, save-failed, restore-failed.");
        _gopsDropped = _meter.CreateCounter<long>("registrator.gops.dropped", "{gop}",
            "Whole GOPs dropped from task buffers to stay within max-frames or max-buffer-bytes.");
        _eventsDeadLettered = _meter.CreateCounter<long>("registrator.events.dead_lettered", "{event}",
            "Events Redis refused for good (WRONGTYPE, NOPERM, ...) after registrator.events.poison-attempts, moved to the dead-letter file beside the outbox.");
        _eventsRegistered = _meter.CreateCounter<long>("registrator.events.registered", "{event}",
            "Events in the store of record, by outcome: finished (clip written) or error (recorded without its clip).");
        _registrationsFailed = _meter.CreateCounter<long>("registrator.registrations.failed", "{registration}",
            "Registrations the event store did not accept in time (the task answered RegistrationFailed).");
        _clipsFailed = _meter.CreateCounter<long>("registrator.clips.failed", "{clip}",
            "Clips the encoders could not write (their events are recorded with an error).");
        _encodeDuration = _meter.CreateHistogram("registrator.encode.duration", "s",
            "Time to write one clip and its keyframe.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });
        _natsMessages = _meter.CreateCounter<long>("registrator.nats.messages", "{message}",
            "Messages received from NATS, by subject.");
        _natsConnectionProblems = _meter.CreateCounter<long>("registrator.nats.connection_problems", "{event}",
            description: "NATS connection problems that lose messages, by connection (results, frames, commands) and problem (disconnected: what the server had queued is gone, core NATS being at-most-once; slow-consumer: the client dropped messages).");

        _retentionEventsRemoved = _meter.CreateCounter<long>("registrator.retention.events_removed", "{event}",
            "Expired events removed from Redis by this node, by reason: expired (this node held the files, or the event names no node) or abandoned (its node was silent for longer than abandon-after).");
        _retentionFilesDeleted = _meter.CreateCounter<long>("registrator.retention.files_deleted", "{file}",
            "Clips and keyframes of expired events deleted by this node (only ever its own).");
        _retentionOrphansDeleted = _meter.CreateCounter<long>("registrator.retention.orphans_deleted", "{file}",
            "Files in this node's output folder that no event in Redis names, deleted by the orphan sweep.");
        _retentionFilesFailed = _meter.CreateCounter<long>("registrator.retention.files_failed", "{file}",
            "Files retention or the orphan sweep did not delete, by reason: refused (outside the output folder, or through a link) or error (permissions, I/O).");
        _orphanSweepsSkipped = _meter.CreateCounter<long>("registrator.retention.sweeps_skipped", "{sweep}",
            "Orphan sweeps skipped because events were still on their way to Redis.");
        _handOffRedelivered = _meter.CreateCounter<long>("registrator.handoff.redelivered", "{message}",
            "Messages the shard region dropped during a shard hand-off and this node sent back through the region to the task's next incarnation.");
        _meter.CreateObservableGauge("registrator.retention.events_waiting", () => Interlocked.Read(ref _retentionEventsWaiting), "{event}",
            "Expired events this node's last retention run left for the other nodes that hold their files (a node down keeps its events).");
        _meter.CreateObservableGauge("registrator.tasks.active", () => Interlocked.Read(ref _tasksActive), "{task}",
            "Task entities running on this node.");
        _meter.CreateObservableGauge("registrator.outbox.depth", () => Interlocked.Read(ref _outboxDepth), "{event}",
            "Events accepted by the event store and not yet in Redis (in memory or in the outbox file).");
        _meter.CreateObservableGauge("registrator.frames.buffered", ObserveBufferedBytes, "By",
            "Bytes buffered by this node's tasks: H.264 packets and raw frames waiting in the reorder window (registrator.task.max-buffer-bytes bounds it).");
        _meter.CreateObservableGauge("registrator.encoder.sessions", () => Interlocked.Read(ref _encoderSessions), "{session}",
            "Open x264 sessions on this node (one per task key that buffers frames here).");
        _meter.CreateObservableGauge("registrator.encoder.session_memory", () => Interlocked.Read(ref _encoderSessionBytes), "By",
            "Estimated native memory of this node's open x264 sessions.");
        _meter.CreateObservableGauge("registrator.frames.buffer_limit", ObserveBufferLimit, "By",
            "The node's frame buffer bound, registrator.task.max-buffer-bytes.");
        _meter.CreateObservableCounter("registrator.nats.bad_input", ObserveBadInput, "{message}",
            "NATS messages skipped (or not completed), by reason.");
    }

    /// <summary>The name of this instance's meter, the one a metrics exporter must listen to.</summary>
    public string MeterName { get; }

    /// <summary>The node's metrics: the instance registered with <see cref="Register"/>, else one made on first use.</summary>
    public static RegistratorMetrics For(ActorSystem system) => system.WithExtension<RegistratorMetrics, RegistratorMetricsProvider>();

    /// <summary>
    /// Makes <paramref name="metrics"/> the instance <see cref="For"/> returns on <paramref name="system"/>. Call it before
    /// starting the actors that record; returns the instance in effect (an earlier one if the system already had one).
    /// </summary>
    public static RegistratorMetrics Register(ActorSystem system, RegistratorMetrics metrics) =>
        (RegistratorMetrics)system.RegisterExtension(new RegistratorMetricsProvider(metrics));

    /// <summary>Exposes the node's frame budget (bytes held, limit) as <c>registrator.frames.buffered</c> and <c>.buffer_limit</c>.</summary>
    public void ObserveFrameBuffer(Func<(long Used, long Max)> frameBuffer) => Volatile.Write(ref _frameBuffer, frameBuffer);

    /// <summary>Exposes the NATS bridge's bad-input counts (every reason, zeros included) as <c>registrator.nats.bad_input</c>.</summary>
    public void ObserveBadInput(Func<IEnumerable<KeyValuePair<string, long>>> countsByReason) => Volatile.Write(ref _badInput, countsByReason);

    public void HandOffRedelivered() => _handOffRedelivered.Add(1);

    public void TaskStarted() => Interlocked.Increment(ref _tasksActive);

    public void TaskStopped() => Interlocked.Decrement(ref _tasksActive);

    public void StatusAdded(bool detected) => _statuses.Add(1, detected ? Detected : NotDetected);

    /// <summary>A batch's statuses, two measurements whatever its size.</summary>
    public void StatusesAdded(int detected, int total)
    {
        if (detected > 0) _statuses.Add(detected, Detected);
        if (total > detected) _statuses.Add(total - detected, NotDetected);
    }

    private static readonly KeyValuePair<string, object?> Detected = new("detected", "true");
    private static readonly KeyValuePair<string, object?> NotDetected = new("detected", "false");

    public void FramesDropped(long count, FrameDropReason reason)
    {
        if (count <= 0) return;
        _framesDropped.Add(count, new KeyValuePair<string, object?>("reason", reason switch
        {
            FrameDropReason.NodeBudget => "node-budget",
            FrameDropReason.MaxFrames => "task-limit",
            FrameDropReason.Rate => "rate",
            _ => "late",
        }));
    }

    /// <param name="outcome">saved, restored, save-failed or restore-failed.</param>
    public void TaskState(string outcome) => _taskState.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void GopsDropped(long count)
    {
        if (count > 0) _gopsDropped.Add(count);
    }

    /// <summary>An encoder opened (positive) or closed (negative) sessions worth <paramref name="bytes"/> of native memory.</summary>
    public void EncoderSessionsChanged(int sessions, long bytes)
    {
        Interlocked.Add(ref _encoderSessions, sessions);
        Interlocked.Add(ref _encoderSessionBytes, bytes);
    }

    /// <param name="withClip">False when the event was recorded with an error instead of its clip.</param>
    public void EventRegistered(bool withClip) =>
        _eventsRegistered.Add(1, new KeyValuePair<string, object?>("outcome", withClip ? "finished" : "error"));

    public void EventDeadLettered() => _eventsDeadLettered.Add(1);

    public void RegistrationFailed() => _registrationsFailed.Add(1);

    public void ClipEncoded(TimeSpan duration) => _encodeDuration.Record(duration.TotalSeconds);

    public void ClipFailed() => _clipsFailed.Add(1);

    /// <summary>A NATS connection problem that loses messages (<paramref name="problem"/>: disconnected, slow-consumer).</summary>
    public void NatsConnectionProblem(string connection, string problem) => _natsConnectionProblems.Add(1,
        new KeyValuePair<string, object?>("connection", connection), new KeyValuePair<string, object?>("problem", problem));

    public void NatsMessageReceived(string subject) => NatsMessagesReceived(subject, 1);

    public void NatsMessagesReceived(string subject, int count) => _natsMessages.Add(count, new KeyValuePair<string, object?>("subject", subject));

    /// <summary>What one retention run of this node did.</summary>
    public void RetentionRan(EventStore.Retention.RetentionResult result)
    {
        if (result.Removed > 0) _retentionEventsRemoved.Add(result.Removed, new KeyValuePair<string, object?>("reason", "expired"));
        if (result.Abandoned > 0) _retentionEventsRemoved.Add(result.Abandoned, new KeyValuePair<string, object?>("reason", "abandoned"));
        if (result.FilesDeleted > 0) _retentionFilesDeleted.Add(result.FilesDeleted);
        if (result.Refused > 0) _retentionFilesFailed.Add(result.Refused, new KeyValuePair<string, object?>("reason", "refused"));
        if (result.Failed > 0) _retentionFilesFailed.Add(result.Failed, new KeyValuePair<string, object?>("reason", "error"));
        Interlocked.Exchange(ref _retentionEventsWaiting, result.Waiting);
    }

    /// <summary>What one orphan sweep of this node did.</summary>
    public void OrphansSwept(EventStore.Retention.OrphanSweepResult result)
    {
        if (result.Skipped is not null) _orphanSweepsSkipped.Add(1);
        if (result.FilesDeleted > 0) _retentionOrphansDeleted.Add(result.FilesDeleted);
        if (result.Failed > 0) _retentionFilesFailed.Add(result.Failed, new KeyValuePair<string, object?>("reason", "error"));
    }

    /// <summary>The event store's count of undelivered events, after each change.</summary>
    public void SetOutboxDepth(long depth) => Interlocked.Exchange(ref _outboxDepth, depth);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveBufferedBytes() =>
        Volatile.Read(ref _frameBuffer) is { } buffer ? [new Measurement<long>(buffer().Used)] : [];

    private IEnumerable<Measurement<long>> ObserveBufferLimit() =>
        Volatile.Read(ref _frameBuffer) is { } buffer ? [new Measurement<long>(buffer().Max)] : [];

    private IEnumerable<Measurement<long>> ObserveBadInput()
    {
        if (Volatile.Read(ref _badInput) is not { } counts) return [];
        // Every reason, zeros included, so a rate() over a reason works from the first scrape on.
        return counts().Select(pair => new Measurement<long>(pair.Value, new KeyValuePair<string, object?>("reason", pair.Key)));
    }
}
