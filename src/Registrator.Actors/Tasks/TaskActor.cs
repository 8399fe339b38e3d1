using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.Metrics;
using Registrator.Contracts;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tasks;

/// <summary>
/// One task (a camera or a detection task), hosted by Cluster Sharding under type <c>task</c>. A thin shell around one
/// immutable <see cref="TaskData"/> and the pure <see cref="TaskBehavior.Process"/>: every message becomes
/// (state, reply, effects); the actor replies, applies the effects (frames to the key's encoder session, clips to the
/// encoder pool, events to the store, timers, passivation) and keeps the node's frame budget and metrics in step.
/// Receives <see cref="TaskCommands"/> and <see cref="TaskQueries"/> from anyone through the shard region, and the
/// encoder's and event store's answers.
/// <code>
///   frame ─► reorder window ─► EncodeFrame ─► encoder session ─► FrameEncoded ─► packets grouped by GOP
///   RegisterTask / trigger ─► registration takes the cycle ─► WriteClip ─► clip + keyframe ─► RecordEvent ─► store
///                             (the next command starts the next cycle at once; registrations finish on their own)
/// </code>
/// </summary>
public sealed partial class TaskActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{

    private readonly TaskSettings _settings;
    private readonly FrameMemoryBudget _budget;
    private readonly IActorRef _encoder;
    private readonly IActorRef _eventStore;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RegistratorMetrics _metrics = RegistratorMetrics.For(Context.System);
    private readonly TaskHandoff? _handoff;
    private readonly TaskDataSerializer _stateSerializer;
    private TaskData _state;
    private readonly Func<string?> _nodeUrl;
    private bool _reorderTimerOn;
    private bool _spanTimerOn;
    private bool _keepStateOnStop;
    /// <summary>When the last message arrived (Environment.TickCount64): the idle check compares it with passivate-after.</summary>
    private long _lastActive = Environment.TickCount64;
    private bool _stopping;

    public TaskActor(string key, TaskSettings settings, TaskDependencies dependencies)
    {
        // The key's override (registrator.trigger.overrides), if one matches, is what this task runs with.
        _settings = settings.ForKey(key);
        _budget = dependencies.Budget;
        _nodeUrl = dependencies.NodeUrl;
        _encoder = dependencies.Encoder;
        _eventStore = dependencies.EventStore;
        _handoff = dependencies.Handoff;
        _stateSerializer = new TaskDataSerializer((ExtendedActorSystem)Context.System);
        _state = TaskData.New(key, new TaskSettingsView(_settings.Trigger.WindowSize, _settings.Trigger.Ratio));
        if (_handoff is null) Active();
        else Restoring();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(string key, TaskSettings settings, TaskDependencies dependencies) =>
        Akka.Actor.Props.Create(() => new TaskActor(key, settings, dependencies));


    private void Active()
    {
        Receive<Stop>(_ =>
        {
            // The shard is handing this task off (rebalance, leave, shutdown): its state goes to the next incarnation.
            _keepStateOnStop = true;
            Handle(new StopRequested(KeepState: true));
        });
        Receive<PassivateStop>(_ =>
        {
            // Idle: keep what it holds for the next message; deleted: nothing to keep.
            _keepStateOnStop = _state.HasContent;
            Handle(new StopRequested(KeepState: _keepStateOnStop));
        });
        Receive<IdleCheck>(_ =>
        {
            if (Environment.TickCount64 - _lastActive >= (long)_settings.PassivateAfter.TotalMilliseconds) HandleIdle();
        });
        Receive<AddStatus>(m =>
        {
            Handle(m);
            _metrics.StatusAdded(m.Flag);
        });
        Receive<StatusBatch>(m =>
        {
            Handle(m);
            _metrics.StatusesAdded(StatusBatch.DetectedIn(m.Statuses), m.Statuses.Length);
        });
        ReceiveAny(m =>
        {
            if (TaskBehavior.Handles(m)) Handle(m);
            else Unhandled(m);
        });
    }


    protected override void PreStart()
    {
        _metrics.TaskStarted();
        Timers.StartPeriodicTimer(IdleCheck.Instance, IdleCheck.Instance, TaskTimers.IdleCheckInterval(_settings.PassivateAfter));
        if (_handoff is null) return;
        Timers.StartSingleTimer(RestoreTimedOut.Instance, RestoreTimedOut.Instance, _settings.StateRestoreTimeout);
        _handoff.TakeAsync(_state.Key).PipeTo(Self,
            success: state => new TaskStateRestored(state),
            failure: ex => new TaskStateRestoreFailed(ex));
    }

    protected override void PostStop()
    {
        _metrics.TaskStopped();
        // What the task still holds leaves with it, and so does its encoder session.
        _budget.Release(_state.HeldBytes);
        if (!_encoder.IsNobody()) _encoder.Tell(new CloseSession(_state.Key));
    }

    private void Handle(object input)
    {
        var before = _state;
        var context = new TaskContext(_settings, _settings.FramesPerSecond, DateTimeOffset.UtcNow,
            _budget.MaxBytes - _budget.UsedBytes, Sender, EncoderAvailable: !_encoder.IsNobody(), NodeUrl: _nodeUrl());
        var outcome = TaskBehavior.Process(before, input, context);
        _state = outcome.State;
        TaskAccounting.Account(_budget, _metrics, before, _state);
        // Effects first: DeleteTask's Passivate must reach the shard before the requester hears Accepted, so whatever
        // it sends next is buffered for the next incarnation instead of landing in this one and being lost with it.
        foreach (var effect in outcome.Effects) Apply(effect);
        if (outcome.Reply is { } reply) Reply(Sender, reply);
        KeepReorderTimer();
        KeepSpanTimer();
    }

    private void Apply(TaskEffect effect)
    {
        switch (effect)
        {
            case TaskEffect.Encode e:
                _encoder.Tell(e.Job);
                break;
            case TaskEffect.Write w:
                _log.Info("[{0}] event {1}: writing the clip of {2} frames", _state.Key, w.Job.EventId, w.Job.Packets.Count);
                _encoder.Tell(w.Job);
                break;
            case TaskEffect.Keyframe k:
                _encoder.Tell(k.Job);
                break;
            case TaskEffect.Discard d:
                _encoder.Tell(d.Job);
                break;
            case TaskEffect.Publish p:
                Context.System.EventStream.Publish(p.Event);
                break;
            case TaskEffect.Record r:
                RecordEvent(r.Event, r.ReplyTo);
                break;
            case TaskEffect.Notify n:
                if (n.Message is TaskEvents.RegistrationFailed) _metrics.RegistrationFailed();
                Reply(n.To, n.Message);
                break;
            case TaskEffect.StartTimeout t:
                Timers.StartSingleTimer(t.EventId, new RegistrationTimedOut(t.EventId), _settings.RegistrationTimeout);
                break;
            case TaskEffect.CancelTimeout t:
                Timers.Cancel(t.EventId);
                break;
            case TaskEffect.Passivate:
                Passivate();
                break;
            case TaskEffect.StopSelf:
                StopSelf();
                break;
            case TaskEffect.Log l:
                _log.Info(l.Template, l.Arguments);
                break;
        }
    }

    private void RecordEvent(RegisteredEvent recorded, IActorRef replyTo)
    {
        if (recorded.Error is null)
            _log.Info("[{0}] event {1}: clip of {2} frames written", _state.Key, recorded.EventId, recorded.Statistics.FrameCount);
        else
            _log.Warning("[{0}] event {1}: clip failed, recording the event without it: {2}", _state.Key, recorded.EventId, recorded.Error);
        if (!_eventStore.IsNobody())
        {
            _eventStore.Tell(new RecordEvent(recorded, replyTo));
            return;
        }
        // No store on this node: the requester hears from the task itself. The acceptance goes into the mailbox first,
        // so whatever the requester asks next finds the registration settled.
        var registered = EventAnnouncement.RegisteredOf(recorded);
        Self.Tell(new EventAccepted(recorded.EventId));
        Reply(replyTo, registered);
        Context.System.EventStream.Publish(registered);
        _metrics.EventRegistered(withClip: recorded.Error is null);
    }

    /// <summary>Frames waiting in the reorder window are released by capture time, or by this timer when no newer frame comes.</summary>
    private void KeepReorderTimer()
    {
        var waiting = !_state.Frames.Pending.IsEmpty;
        if (waiting == _reorderTimerOn) return;
        _reorderTimerOn = waiting;
        if (waiting)
        {
            Timers.StartPeriodicTimer(ReleaseReorderedFrames.Instance, ReleaseReorderedFrames.Instance, TaskTimers.ReorderInterval(_settings.ReorderWindow));
        }
        else
        {
            Timers.Cancel(ReleaseReorderedFrames.Instance);
        }
    }

    /// <summary>
    /// An open incident closes by capture time; when nothing arrives (a camera went quiet) this timer moves the task's
    /// capture clock on at wall-clock speed, so the incident still closes post-roll after its last detection.
    /// </summary>
    private void KeepSpanTimer()
    {
        var open = _state.Span.Open is not null;
        if (open == _spanTimerOn) return;
        _spanTimerOn = open;
        if (open)
        {
            Timers.StartPeriodicTimer(SpanTick.Instance, SpanTick.Instance, TaskTimers.SpanInterval(_settings.Trigger.PostRoll));
        }
        else
        {
            Timers.Cancel(SpanTick.Instance);
        }
    }

    /// <summary>Any message but the timers' own counts as activity, as it would for a receive timeout.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is not INotInfluenceReceiveTimeout) _lastActive = Environment.TickCount64;
        return base.AroundReceive(receive, message);
    }

    private void HandleIdle()
    {
        if (_log.IsDebugEnabled) _log.Debug("[{0}] idle for {1}, passivating", _state.Key, _settings.PassivateAfter);
        Passivate();
    }

    /// <summary>Asks the shard to stop this entity, so messages that race with the stop are buffered, not lost.</summary>
    private void Passivate()
    {
        Timers.Cancel(IdleCheck.Instance);
        Context.Parent.Tell(new Passivate(PassivateStop.Instance));
    }

    /// <summary>Replies only to real actors: fire-and-forget producers (Tell without a sender) get no dead letters.</summary>
    private void Reply(IActorRef recipient, object message) => recipient.TellIfListening(message, Context.System);
}