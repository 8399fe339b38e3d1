using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Events;
using Registrator.Actors.Metrics;
using Registrator.Contracts;
using Registrator.Media;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tasks;

/// <summary>
/// One task (a camera or a detection task), hosted by Cluster Sharding under type <c>task</c>: its lifecycle
/// state, status list and frame buffer. Receives <see cref="TaskCommands"/> and <see cref="TaskQueries"/> from
/// anyone through the shard region; the lifecycle decisions are <see cref="TaskLifecycle"/>'s table.
/// <code>
///   Active ── RegisterTask (valid) ──► Registering ── clip written/failed, event handed over ──► Active
///                                        (DONE; commands still answered; stop and passivation deferred)
/// </code>
/// </summary>
public sealed class TaskActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Stops the entity. Sent by the entity itself through its shard (passivation, DeleteTask) and by sharding
    /// on hand-off; a task that is registering finishes first.
    /// </summary>
    public sealed class Stop : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly Stop Instance = new();
        private Stop() { }
    }

    private readonly string _key;
    private readonly TaskSettings _settings;
    private readonly FrameMemoryBudget _budget;
    private readonly IActorRef _encoder;
    private readonly IActorRef _eventStore;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);

    private readonly StatusList _statuses;
    private readonly FrameBuffer _frames;
    private TaskState _state = TaskState.None;
    private int _cycle;
    private long _framesDropped;
    private long _statusesDropped;
    private long _rejected;
    private string? _latestMessageJson;
    private Registration? _registration;
    private WindowTrigger _trigger;
    private DateTimeOffset _lastTriggered = DateTimeOffset.MinValue;
    private bool _deleteWhenRegistered;
    private bool _stopWhenRegistered;

    /// <summary>The registration in flight: who asked, for which message, and the frames' bytes still reserved.</summary>
    private sealed record Registration(Guid EventId, IActorRef ReplyTo, string MessageJson, long ReservedBytes, int FrameCount);

    private sealed class RegistrationTimedOut : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly RegistrationTimedOut Instance = new();
        private RegistrationTimedOut() { }
    }

    public TaskActor(string key, TaskSettings settings, TaskDependencies dependencies)
    {
        _key = key;
        _settings = settings;
        _budget = dependencies.Budget;
        _encoder = dependencies.Encoder;
        _eventStore = dependencies.EventStore;
        _statuses = new StatusList(settings.MaxStatuses);
        _frames = new FrameBuffer(settings.MaxFrames);
        _trigger = new WindowTrigger(settings.Trigger.WindowSize, settings.Trigger.Ratio);
        Active();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string key, TaskSettings settings, TaskDependencies dependencies) =>
        Akka.Actor.Props.Create(() => new TaskActor(key, settings, dependencies));

    protected override void PreStart()
    {
        _metrics.TaskStarted();
        Context.SetReceiveTimeout(_settings.PassivateAfter);
    }

    protected override void PostStop()
    {
        _metrics.TaskStopped();
        // Frames still buffered (or handed to an encoder that never answered) leave with the actor.
        _budget.Release(_frames.Bytes + (_registration?.ReservedBytes ?? 0));
        _frames.Reset();
    }

    private void Active()
    {
        Receive<CreateTask>(HandleCreate);
        Receive<AddStatus>(HandleAddStatus);
        Receive<AddFrame>(HandleAddFrame);
        Receive<ClearStatuses>(HandleClear);
        Receive<StopTask>(HandleStop);
        Receive<RegisterTask>(HandleRegister);
        Receive<DeleteTask>(HandleDelete);
        Receive<GetTask>(_ => Reply(Snapshot()));
        Receive<GetMostCommon>(_ => Reply(new MostCommon(_key, _statuses.MostCommon())));
        Receive<ReceiveTimeout>(_ => HandleIdle());
        Receive<Stop>(_ => Context.Stop(Self));
    }

    /// <summary>
    /// DONE with the clip being written, then the event being handed to the store. Commands are still answered by
    /// the table (DONE column); a second RegisterTask is rejected; stopping waits until the event is safe.
    /// </summary>
    private void Registering()
    {
        Receive<CreateTask>(HandleCreate);
        Receive<AddStatus>(HandleAddStatus);
        Receive<AddFrame>(HandleAddFrame);
        Receive<ClearStatuses>(HandleClear);
        Receive<StopTask>(HandleStop);
        Receive<RegisterTask>(_ => RejectWith("a registration of this task is already in progress"));
        Receive<DeleteTask>(_ =>
        {
            Reply(new Accepted(_key, TaskState.None));
            _deleteWhenRegistered = true;
        });
        Receive<GetTask>(_ => Reply(Snapshot()));
        Receive<GetMostCommon>(_ => Reply(new MostCommon(_key, _statuses.MostCommon())));
        Receive<EncodeSucceeded>(HandleEncoded);
        Receive<EncodeFailed>(HandleEncodeFailed);
        Receive<EventAccepted>(HandleEventAccepted);
        Receive<RegistrationTimedOut>(_ => HandleRegistrationTimeout());
        Receive<Stop>(_ => _stopWhenRegistered = true);
    }

    private void HandleCreate(CreateTask command)
    {
        if (Decide(TaskCommandKind.Create) is { } decision) Accept(decision);
    }

    private void HandleAddStatus(AddStatus command)
    {
        if (command.MessageJson is not null && !IsJsonObject(command.MessageJson))
        {
            RejectWith("message must be a JSON object");
            return;
        }
        if (Decide(TaskCommandKind.AddStatus) is not { } decision) return;
        if (decision.Verdict == Verdict.Apply && _statuses.Add(command.Flag))
            _statusesDropped++;
        if (command.MessageJson is not null) _latestMessageJson = command.MessageJson;
        _state = decision.Next;
        _metrics.StatusAdded(command.Flag);
        ObserveForTrigger(command.Flag);
        Reply(new Accepted(_key, _state));
    }

    /// <summary>The window policy: a full window with enough detections registers the event with the latest message.</summary>
    private void ObserveForTrigger(bool detected)
    {
        if (!_settings.Trigger.Window) return;
        (_trigger, var fire) = _trigger.Observe(detected);
        if (!fire) return;
        var now = DateTimeOffset.UtcNow;
        if (now - _lastTriggered < _settings.Trigger.Cooldown)
        {
            _log.Info("[{0}] window fired within the {1} cooldown: not registering", _key, _settings.Trigger.Cooldown);
            return;
        }
        _lastTriggered = now;
        _log.Info("[{0}] more than {1:P0} of the last {2} statuses are detections: registering", _key, _settings.Trigger.Ratio, _settings.Trigger.WindowSize);
        _state = TaskState.Done;
        StartRegistration(ActorRefs.Nobody, _latestMessageJson ?? "{}");
    }

    private void HandleAddFrame(AddFrame command)
    {
        if (ValidateFrame(command) is { } invalid)
        {
            RejectWith(invalid);
            return;
        }
        var frameBytes = 3L * command.Width * command.Height;
        var decision = TaskLifecycle.Decide(_state, TaskCommandKind.AddFrame);
        if (decision.Verdict == Verdict.Reject)
        {
            RejectWith(decision.Reason!);
            return;
        }
        // A new cycle forgets the old frame size, so check the size only against the cycle the frame joins.
        if (!decision.NewCycle && _frames.SizeMismatch(command.Width, command.Height) is { } mismatch)
        {
            RejectWith(mismatch);
            return;
        }
        if (decision.NewCycle)
        {
            StartNewCycle();
            _state = decision.Next;
        }
        if (!ReserveFrameBytes(frameBytes))
        {
            RejectWith($"node frame buffer full ({_budget.UsedBytes} of {_budget.MaxBytes} bytes in use)");
            return;
        }
        if (_frames.Add(command.Width, command.Height, new BgrFrame(command.Pixels, command.FrameId)) is not null)
        {
            _budget.Release(frameBytes);
            _framesDropped++;
            _metrics.FrameDropped(nodeBudget: false);
        }
        _state = decision.Next;
        Reply(new Accepted(_key, _state));
    }

    private void HandleClear(ClearStatuses command)
    {
        if (Decide(TaskCommandKind.ClearStatuses) is not { } decision) return;
        if (decision.Verdict == Verdict.Apply)
        {
            _statuses.Clear();
            _trigger = _trigger.Reset();
        }
        Accept(decision);
    }

    private void HandleStop(StopTask command)
    {
        if (Decide(TaskCommandKind.Stop) is { } decision) Accept(decision);
    }

    private void HandleRegister(RegisterTask command)
    {
        if (!IsJsonObject(command.MessageJson))
        {
            RejectWith("message must be a JSON object");
            return;
        }
        if (Decide(TaskCommandKind.Register) is not { } decision) return;
        _state = decision.Next; // DONE: the Python module stops the task before it saves the clip.
        _latestMessageJson = command.MessageJson;
        if (!StartRegistration(Sender, command.MessageJson))
            RejectWith("encoder not configured on this node: the task is DONE, its frames are kept");
    }

    /// <summary>Moves the frames to the encoder and waits in Registering; false when this node has no encoder.</summary>
    private bool StartRegistration(IActorRef replyTo, string messageJson)
    {
        if (_encoder.IsNobody())
        {
            _log.Warning("[{0}] cannot register: no encoder on this node", _key);
            return false;
        }
        var reserved = _frames.Bytes;
        var frames = _frames.TakeAll();
        _registration = new Registration(Guid.NewGuid(), replyTo, messageJson, reserved, frames.Count);
        _log.Info("[{0}] registering event {1} with {2} frames", _key, _registration.EventId, frames.Count);
        _encoder.Tell(new EncodeJob(_registration.EventId, _key, _frames.Width, _frames.Height, frames, FrameIdOf(messageJson)));
        Timers.StartSingleTimer(RegistrationTimedOut.Instance, RegistrationTimedOut.Instance, _settings.RegistrationTimeout);
        Context.SetReceiveTimeout(null);
        Become(Registering);
        return true;
    }

    private void HandleEncoded(EncodeSucceeded encoded)
    {
        if (_registration is not { } registration || registration.EventId != encoded.EventId) return;
        _log.Info("[{0}] event {1}: clip of {2} frames written in {3:F0} ms", _key, encoded.EventId, encoded.FrameCount, encoded.EncodeTime.TotalMilliseconds);
        Record(registration, TaskState.Finished, encoded.VideoPath, encoded.ImagePath, error: null);
    }

    private void HandleEncodeFailed(EncodeFailed failed)
    {
        if (_registration is not { } registration || registration.EventId != failed.EventId) return;
        _log.Warning("[{0}] event {1}: clip failed, recording the event without it: {2}", _key, failed.EventId, failed.Reason);
        Record(registration, TaskState.Error, videoPath: null, imagePath: null, failed.Reason);
    }

    private void HandleRegistrationTimeout()
    {
        if (_registration is not { } registration) return;
        if (_state == TaskState.Done)
        {
            var reason = $"encoder did not answer within {_settings.RegistrationTimeout}";
            _log.Error("[{0}] event {1}: {2}", _key, registration.EventId, reason);
            Record(registration, TaskState.Error, videoPath: null, imagePath: null, reason);
            return;
        }
        _log.Error("[{0}] event {1}: event store did not accept the event within {2}", _key, registration.EventId, _settings.RegistrationTimeout);
        _metrics.RegistrationFailed();
        Reply(registration.ReplyTo, new TaskEvents.RegistrationFailed(_key, "event store did not accept the event in time"));
        CompleteRegistration();
    }

    /// <summary>The clip is settled (FINISHED or ERROR): free its frames and hand the event to the store.</summary>
    private void Record(Registration registration, TaskState outcome, string? videoPath, string? imagePath, string? error)
    {
        _budget.Release(registration.ReservedBytes);
        _registration = registration with { ReservedBytes = 0 };
        _state = outcome;
        var recorded = new RegisteredEvent(
            registration.EventId, _key, registration.MessageJson, videoPath, imagePath, error,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
            new TaskStatistics(registration.FrameCount, _statuses.Count, _statuses.MostCommon(), _cycle));
        if (_eventStore.IsNobody())
        {
            var registered = new TaskEvents.EventRegistered(_key, recorded.EventId, videoPath, imagePath, recorded.Timestamp, error);
            Reply(registration.ReplyTo, registered);
            Context.System.EventStream.Publish(registered);
            _metrics.EventRegistered(withClip: error is null);
            CompleteRegistration();
            return;
        }
        _eventStore.Tell(new RecordEvent(recorded, registration.ReplyTo));
    }

    private void HandleEventAccepted(EventAccepted accepted)
    {
        if (_registration?.EventId == accepted.EventId) CompleteRegistration();
    }

    private void CompleteRegistration()
    {
        Timers.Cancel(RegistrationTimedOut.Instance);
        _registration = null;
        Become(Active);
        if (_stopWhenRegistered)
        {
            // Sharding is handing this shard off (or the shard is stopping): it waits for us to terminate.
            Context.Stop(Self);
            return;
        }
        if (_deleteWhenRegistered)
        {
            Passivate();
            return;
        }
        Context.SetReceiveTimeout(_settings.PassivateAfter);
    }

    private void HandleDelete(DeleteTask command)
    {
        if (Decide(TaskCommandKind.Delete) is not { } decision) return;
        Reply(new Accepted(_key, TaskState.None));
        if (decision.Verdict == Verdict.Apply) _log.Info("[{0}] deleted", _key);
        Passivate();
    }

    private void HandleIdle()
    {
        if (_log.IsDebugEnabled) _log.Debug("[{0}] idle for {1}, passivating", _key, _settings.PassivateAfter);
        Passivate();
    }

    /// <summary>Asks the shard to stop this entity, so messages that race with the stop are buffered, not lost.</summary>
    private void Passivate()
    {
        Context.SetReceiveTimeout(null);
        Context.Parent.Tell(new Passivate(Stop.Instance));
    }

    /// <summary>The table's decision, or null after replying Rejected.</summary>
    private LifecycleDecision? Decide(TaskCommandKind command)
    {
        var decision = TaskLifecycle.Decide(_state, command);
        if (decision.Verdict == Verdict.Reject)
        {
            RejectWith(decision.Reason!);
            return null;
        }
        if (decision.NewCycle) StartNewCycle();
        return decision;
    }

    private void Accept(LifecycleDecision decision)
    {
        _state = decision.Next;
        Reply(new Accepted(_key, _state));
    }

    private void RejectWith(string reason)
    {
        _rejected++;
        if (_log.IsDebugEnabled) _log.Debug("[{0}] rejected in {1}: {2}", _key, _state, reason);
        Reply(new Rejected(_key, _state, reason));
    }

    private void StartNewCycle()
    {
        _budget.Release(_frames.Bytes);
        _frames.Reset();
        _statuses.Clear();
        _trigger = _trigger.Reset();
        _latestMessageJson = null;
        _cycle++;
    }

    private string? ValidateFrame(AddFrame frame)
    {
        var max = _settings.MaxFrameDimension;
        if (frame.Width <= 0 || frame.Height <= 0 || frame.Width > max || frame.Height > max)
            return $"frame size {frame.Width}x{frame.Height} is out of range (1..{max} pixels per side)";
        var expected = 3L * frame.Width * frame.Height;
        var actual = frame.Pixels?.LongLength ?? 0;
        return actual == expected
            ? null
            : $"frame of {frame.Width}x{frame.Height} BGR24 needs {expected} bytes, got {actual}";
    }

    /// <summary>Makes room under the node's budget, pushing out this task's own oldest frames first.</summary>
    private bool ReserveFrameBytes(long bytes)
    {
        while (!_budget.TryReserve(bytes))
        {
            if (!_frames.DropOldest()) return false;
            _budget.Release(_frames.FrameBytes);
            _framesDropped++;
            _metrics.FrameDropped(nodeBudget: true);
        }
        return true;
    }

    private TaskSnapshot Snapshot() => new(
        _key, _state, _statuses.ToImmutableArray(), _frames.Count, _frames.Width, _frames.Height, _frames.Bytes,
        _framesDropped, _statusesDropped, _rejected, _cycle, Registering: _registration is not null, _latestMessageJson);

    private void Reply(object message) => Reply(Sender, message);

    /// <summary>Replies only to real actors: fire-and-forget producers (Tell without a sender) get no dead letters.</summary>
    private void Reply(IActorRef recipient, object message)
    {
        if (recipient.IsNobody() || recipient.Equals(Context.System.DeadLetters)) return;
        recipient.Tell(message);
    }

    /// <summary>The message's <c>frame_id</c> (string or number), which picks the keyframe.</summary>
    private static string? FrameIdOf(string messageJson)
    {
        using var document = JsonDocument.Parse(messageJson);
        if (!document.RootElement.TryGetProperty("frame_id", out var id)) return null;
        return id.ValueKind switch
        {
            JsonValueKind.String => id.GetString(),
            JsonValueKind.Number => id.GetRawText(),
            _ => null,
        };
    }

    private static bool IsJsonObject(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return false;
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
