using System.Collections.Immutable;
using Registrator.Actors.Encoding;
using Registrator.Actors.EventStore;
using Registrator.Contracts;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tasks;

/// <summary>The result of one step: the next value, the reply to the input's sender (if any) and the effects to apply.</summary>
public sealed record TaskOutcome(TaskData State, object? Reply, ImmutableArray<TaskEffect> Effects);

/// <summary>
/// The task as a pure function (state, input, context) → (state, reply, effects), in the style of petabridge's
/// <c>ProductState.ProcessCommand</c>: the lifecycle table (<see cref="TaskLifecycle"/>), the statuses and the window
/// trigger, frames through the reorder window and the capture clock to the encoder, packets into GOPs under the bounds,
/// and registrations from taking the cycle to the event being safe. No actor, clock or node state is touched here.
/// This file holds the dispatch, the commands that only move the lifecycle table, and the table itself; one concern
/// each: TaskBehavior.Statuses.cs (statuses, window trigger), TaskBehavior.Frames.cs (reorder window, encoder, bounds),
/// TaskBehavior.Span.cs (span incidents), TaskBehavior.Registrations.cs (clip, event store, timeouts).
/// </summary>
public static partial class TaskBehavior
{
    public static TaskOutcome Process(TaskData state, object input, TaskContext context)
    {
        var step = new Step(state, context);
        switch (input)
        {
            case CreateTask: step.Create(); break;
            case AddStatus m: step.AddStatus(m); break;
            case StatusBatch m: step.AddStatuses(m); break;
            case AddFrame m: step.AddFrame(m); break;
            case ClearStatuses: step.Clear(); break;
            case StopTask: step.StopTask(); break;
            case RegisterTask m: step.Register(m); break;
            case DeleteTask: step.Delete(); break;
            case GetTask: step.Reply = Snapshot(state, context.Settings); break;
            case GetMostCommon: step.Reply = new MostCommon(state.Key, MostCommonStatus.Of(state.Statuses)); break;
            case FrameEncoded m: step.Encoded(m); break;
            case FrameEncodeFailed m: step.EncodeFailed(m); break;
            case ReleaseReorderedFrames: step.ReleaseWaited(); break;
            case EncodeSucceeded m: step.ClipWritten(m.EventId, m.VideoPath, m.ImagePath, error: null); break;
            case EncodeFailed m: step.ClipWritten(m.EventId, null, null, m.Reason); break;
            case EventAccepted m: step.EventAccepted(m.EventId); break;
            case RegistrationTimedOut m: step.TimedOut(m.EventId); break;
            case StopRequested: step.StopRequested(); break;
            case KeyframeWritten m: step.KeyframeDone(m.EventId, m.ImagePath); break;
            case KeyframeFailed m: step.KeyframeDone(m.EventId, null); break;
            case SpanTick: step.SpanTick(); break;
            default:
                // Replies and events are ITaskMessages too, but nothing a task is asked to do: ignored, never a crash.
                return new TaskOutcome(state, null, []);
        }
        return step.Outcome();
    }

    /// <summary>Whether <paramref name="input"/> is one <see cref="Process"/> takes.</summary>
    public static bool Handles(object input) => input is ITaskMessage
        or StatusBatch or FrameEncoded or FrameEncodeFailed or ReleaseReorderedFrames or EncodeSucceeded or EncodeFailed
        or EventAccepted or RegistrationTimedOut or StopRequested or KeyframeWritten or KeyframeFailed or SpanTick;

    /// <summary>The snapshot a <see cref="GetTask"/> answers with; with <paramref name="settings"/>, it shows the settings in force.</summary>
    public static TaskSnapshot Snapshot(TaskData s, Configuration.TaskSettings? settings = null) => new(
        s.Key, s.State, ImmutableArray.Create(s.Statuses.AsSpan()), s.Frames.Count, s.Frames.Width, s.Frames.Height, s.Frames.HeldBytes,
        s.Counters.FramesDropped, s.Counters.StatusesDropped, s.Counters.Rejected, s.Cycle,
        Registering: !s.Registrations.IsEmpty, s.LatestMessageJson,
        FramesPending: s.Frames.Pending.Count + s.Frames.InFlight,
        GopsDropped: s.Counters.GopsDropped,
        FramesSkipped: s.Counters.FramesSkipped,
        FramesLate: s.Counters.FramesLate,
        Registrations: [.. s.Registrations.Select(r => new RegistrationInFlight(r.EventId, r.Cycle, Math.Max(r.FrameCount, r.Frames.Count), r.StageName))],
        SettingsJson: settings is null ? null : TaskSettingsJson.Settings(settings),
        IncidentJson: TaskSettingsJson.Incident(s.Span.Open));

    /// <summary>One input's work: accumulates the next state, the reply and the effects.</summary>
    private sealed partial class Step(TaskData state, TaskContext context)
    {
        private readonly ImmutableArray<TaskEffect>.Builder _effects = ImmutableArray.CreateBuilder<TaskEffect>();
        private readonly long _heldBefore = state.HeldBytes;
        private TaskData _s = state;
        /// <summary>The latest message while it is still the bytes of a batched status; <c>_s.LatestMessageJson</c> is stale until <see cref="LatestMessage"/>.</summary>
        private ReadOnlyMemory<byte>? _latestMessageBytes;
        public object? Reply { get; set; }

        private Configuration.TaskSettings Settings => context.Settings;
        private string Key => _s.Key;

        public TaskOutcome Outcome()
        {
            // The batch's bytes are valid only while it is handled: the state that outlives the step holds a string.
            LatestMessage();
            return new(_s, Reply, _effects.ToImmutable());
        }

        /// <summary>The latest message, made a string now if it was still bytes.</summary>
        private string? LatestMessage()
        {
            if (_latestMessageBytes is { } bytes)
            {
                _s = _s with { LatestMessageJson = System.Text.Encoding.UTF8.GetString(bytes.Span) };
                _latestMessageBytes = null;
            }
            return _s.LatestMessageJson;
        }

        public void Create()
        {
            if (Decide(TaskCommandKind.Create) is not { } decision) return;
            Accept(decision.Next);
        }

        public void Clear()
        {
            if (Decide(TaskCommandKind.ClearStatuses) is not { } decision) return;
            if (decision.Verdict == Verdict.Apply) _s = _s with { Statuses = StatusHistory.Empty };
            Accept(decision.Next);
        }

        public void StopTask()
        {
            if (Decide(TaskCommandKind.Stop) is not { } decision) return;
            if (decision.Verdict == Verdict.Apply) _s = _s with { Column = LifecycleColumn.Stopped };
            Reply = new Accepted(Key, _s.State);
        }

        public void Delete()
        {
            if (Decide(TaskCommandKind.Delete) is not { } decision) return;
            // An open incident was announced: it is recorded (up to now) before the task forgets its frames.
            if (decision.Verdict == Verdict.Apply && _s.Span.Open is { } open)
            {
                var now = Math.Max(open.Start, _s.Span.NowAt(context.Now));
                _s = _s with { Span = SpanState.Idle };
                CloseIncident(open with { End = now });
            }
            if (decision.Verdict == Verdict.Apply)
            {
                _latestMessageBytes = null;
                _effects.Add(new TaskEffect.Log("[{0}] deleted", [Key]));
                // The registrations in flight keep their cycles and finish before the entity stops.
                _s = _s with
                {
                    Column = LifecycleColumn.None,
                    Cycle = _s.Cycle + 1, // packets of the forgotten cycle still at the encoder are dropped
                    Statuses = StatusHistory.Empty,
                    Frames = CycleFrames.Empty,
                    Trigger = _s.Trigger.Reset(),
                    LatestMessageJson = null,
                    LatestMessageTime = null,
                    Span = SpanState.Idle,
                };
            }
            Reply = new Accepted(Key, TaskState.None);
            _effects.Add(TaskEffect.Passivate.Instance);
        }

        public void StopRequested()
        {
            // Frames still in the reorder window go to the encoder now: the value that outlives this incarnation holds
            // packets, and the stop waits until they are back.
            _s = _s with { StopRequested = true };
            Release(ReleaseRule.All);
            StopIfDone();
        }

        /// <summary>
        /// The current cycle belongs to a registration: DONE (registering), or FINISHED / ERROR (reached only by a
        /// registration settling): its packets still at the encoder go to that registration, never to the current frames.
        /// </summary>
        private bool CycleTaken => _s.Column is LifecycleColumn.Registering or LifecycleColumn.Finished or LifecycleColumn.Error;

        private void StartNewCycle()
        {
            _latestMessageBytes = null;
            _s = _s with
            {
                Cycle = _s.Cycle + 1,
                Statuses = StatusHistory.Empty,
                // Raw frames still waiting belong to the new cycle (an incident's registration left those captured after its end).
                Frames = _s.Frames.Pending.IsEmpty ? CycleFrames.Empty : CycleFrames.Empty with { Width = _s.Frames.Width, Height = _s.Frames.Height, Pending = _s.Frames.Pending },
                Trigger = _s.Trigger.Reset(),
                LatestMessageJson = null,
                LatestMessageTime = null,
            };
        }

        private LifecycleDecision? Decide(TaskCommandKind command)
        {
            var decision = TaskLifecycle.Decide(_s.Column, command);
            if (decision.Verdict == Verdict.Reject)
            {
                Reject(decision.Reason!);
                return null;
            }
            if (decision.NewCycle) StartNewCycle();
            return decision;
        }

        private void Accept(TaskState next)
        {
            if (_s.State != next) _s = _s with { Column = TaskLifecycle.ColumnOf(next) };
            Reply = new Accepted(Key, _s.State);
        }

        private void Reject(string reason)
        {
            _s = _s with { Counters = _s.Counters with { Rejected = _s.Counters.Rejected + 1 } };
            Reply = new Rejected(Key, _s.State, reason);
        }
    }
}
