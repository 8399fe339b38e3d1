using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Registrator.Actors.Encoding;
using Registrator.Actors.Events;
using Registrator.Contracts;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Retention;

namespace Registrator.Actors.Tasks;

/// <summary>The result of one step: the next value, the reply to the input's sender (if any) and the effects to apply.</summary>
public sealed record TaskOutcome(TaskData State, object? Reply, ImmutableArray<TaskEffect> Effects);

/// <summary>
/// The task as a pure function (state, input, context) → (state, reply, effects), in the style of petabridge's
/// <c>ProductState.ProcessCommand</c>: the lifecycle table (<see cref="TaskLifecycle"/>), the statuses and the window
/// trigger, frames through the reorder window and the capture clock to the encoder, packets into GOPs under the bounds,
/// and registrations from taking the cycle to the event being safe. No actor, clock or node state is touched here.
/// </summary>
public static class TaskBehavior
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
    private sealed class Step(TaskData state, TaskContext context)
    {
        private readonly ImmutableArray<TaskEffect>.Builder _effects = ImmutableArray.CreateBuilder<TaskEffect>();
        private readonly long _heldBefore = state.HeldBytes;
        private TaskData _s = state;
        public object? Reply { get; set; }

        private Configuration.TaskSettings Settings => context.Settings;
        private string Key => _s.Key;

        public TaskOutcome Outcome() => new(_s, Reply, _effects.ToImmutable());

        // ───── commands ─────

        public void Create()
        {
            if (Decide(TaskCommandKind.Create) is not { } decision) return;
            Accept(decision.Next);
        }

        public void AddStatus(AddStatus command)
        {
            double? timestamp = null;
            if (command.MessageJson is not null && !TryReadMessage(command.MessageJson, out timestamp))
            {
                Reject("message must be a JSON object");
                return;
            }
            if (AddOneStatus(command.Flag, command.MessageJson, timestamp)) Reply = new Accepted(Key, _s.State);
        }

        /// <summary>
        /// A slice of the NATS stream's statuses for this task, in arrival order, each message already checked by the
        /// bridge: taken one after the other exactly as that many AddStatus would be (a window trigger may fire between
        /// two of them and start the next cycle), answered once.
        /// </summary>
        public void AddStatuses(StatusBatch batch)
        {
            var (accepted, rejected) = (0, 0);
            string? reason = null;
            var minScore = Settings.Trigger.MinScore;
            foreach (var status in batch.Statuses)
            {
                // The bridge flagged the result with the node's min-score; a task with its own threshold reads it again.
                var flag = minScore is { } threshold ? DetectionFlag.Of(status.MessageJson, threshold) ?? status.Flag : status.Flag;
                if (AddOneStatus(flag, status.MessageJson, status.MessageTime)) accepted++;
                else
                {
                    rejected++;
                    reason ??= (Reply as Rejected)?.Reason;
                }
            }
            Reply = new StatusBatchAnswer(Key, _s.State, accepted, rejected, reason);
        }

        /// <summary>One status through the lifecycle table, the bound and the trigger; false (and a Rejected reply) when the table rejects it.</summary>
        private bool AddOneStatus(bool flag, string? messageJson, double? timestamp)
        {
            var time = timestamp ?? context.NowUnixSeconds;
            // First the incident that this status's time closes, so the status itself belongs to the next cycle.
            if (Settings.Trigger.Span) AdvanceSpan(time);
            if (Decide(TaskCommandKind.AddStatus) is not { } decision) return false;
            var (statuses, droppedOldest) = _s.Statuses.Add(flag, Settings.MaxStatuses);
            var counters = droppedOldest ? _s.Counters with { StatusesDropped = _s.Counters.StatusesDropped + 1 } : _s.Counters;
            _s = messageJson is not null && IsNewer(timestamp)
                ? _s with { Statuses = statuses, Counters = counters, Column = TaskLifecycle.ColumnOf(decision.Next), LatestMessageJson = messageJson, LatestMessageTime = timestamp }
                : _s with { Statuses = statuses, Counters = counters, Column = TaskLifecycle.ColumnOf(decision.Next) };
            ObserveForTrigger(flag, time);
            return true;
        }

        public void AddFrame(AddFrame command)
        {
            if (ValidateFrame(command) is { } invalid)
            {
                Reject(invalid);
                return;
            }
            if (!context.EncoderAvailable)
            {
                Reject("no encoder on this node: frames cannot be buffered");
                return;
            }
            var captureTime = command.CaptureTime ?? context.NowUnixSeconds;
            // An incident this frame's time closes takes the frames before it; the frame starts the next cycle.
            if (Settings.Trigger.Span && captureTime >= _s.Clock.Newest - Settings.ReorderWindow.TotalSeconds) AdvanceSpan(captureTime);
            var decision = TaskLifecycle.Decide(_s.Column, TaskCommandKind.AddFrame);
            if (decision.Verdict == Verdict.Reject)
            {
                Reject(decision.Reason!);
                return;
            }
            // A new cycle forgets the old frame size, so check the size only against the cycle the frame joins.
            if (!decision.NewCycle && _s.Frames.SizeMismatch(command.Width, command.Height) is { } mismatch)
            {
                Reject(mismatch);
                return;
            }

            var clock = _s.Clock;
            if (captureTime < clock.Newest - Settings.ReorderWindow.TotalSeconds || captureTime < clock.LastKeptTime)
            {
                _s = _s with { Counters = _s.Counters with { FramesLate = _s.Counters.FramesLate + 1 } };
                Reject(string.Create(CultureInfo.InvariantCulture,
                    $"frame captured at {captureTime:F3} is older than the reorder window allows (newest {clock.Newest:F3}, window {Settings.ReorderWindow.TotalSeconds:F3} s)"));
                return;
            }

            var unchanged = _s;
            if (decision.NewCycle) StartNewCycle();
            var frames = _s.Frames.HasSize ? _s.Frames : _s.Frames with { Width = command.Width, Height = command.Height };
            _s = _s with { Frames = frames, Column = TaskLifecycle.ColumnOf(decision.Next) };

            // A frame that waits holds its raw pixels; one that goes to the encoder at once needs the node not to be full.
            var waits = command.CaptureTime is not null && Settings.ReorderWindow > TimeSpan.Zero;
            if (!MakeRoom(waits ? command.Pixels.LongLength : 1))
            {
                _s = unchanged; // rejected: no new cycle, no GOP dropped
                Reject($"node frame buffer full ({Settings.MaxBufferBytes - context.NodeBytesFree} of {Settings.MaxBufferBytes} bytes in use)");
                return;
            }

            _s = _s with
            {
                Clock = clock with { Newest = Math.Max(clock.Newest, captureTime) },
                Frames = _s.Frames.AddPending(new PendingFrame(command.Pixels, command.FrameId, captureTime, context.Now,
                    Timed: command.CaptureTime is not null, Format: command.Format)),
            };
            // In-order sources (no Frame-Time: arrival order is capture order) need not wait for anything older.
            Release(waits ? ReleaseRule.Window : ReleaseRule.UpTo(captureTime));
            Reply = new Accepted(Key, _s.State);
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

        public void Register(RegisterTask command)
        {
            if (!TryReadMessage(command.MessageJson, out _))
            {
                Reject("message must be a JSON object");
                return;
            }
            if (!context.EncoderAvailable)
            {
                Reject("no encoder on this node: the clip cannot be written");
                return;
            }
            if (Decide(TaskCommandKind.Register) is null) return;
            _s = _s with { LatestMessageJson = command.MessageJson };
            TakeCycle(context.Sender, command.MessageJson);
            // The requester hears from the event store (EventRegistered) or from us (RegistrationFailed), not Accepted.
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

        // ───── the encoder's answers ─────

        public void Encoded(FrameEncoded encoded)
        {
            var frame = new BufferedFrame(encoded.Packet, encoded.FrameId);
            if (encoded.Cycle != _s.Cycle || CycleTaken)
            {
                // A packet of a cycle a registration took: it joins that registration while its clip waits for it;
                // once the clip is being written (or the registration gave up on the encoder), it is too late.
                var index = _s.Registrations.FindIndex(r => r.Cycle == encoded.Cycle);
                if (index < 0 || _s.Registrations[index].Stage != RegistrationStage.Encoding) return;
                var registration = _s.Registrations[index];
                var (taken, joined) = registration.Frames.Append(frame);
                if (!joined) CountDropped(1, gops: 0, nodeBudget: false);
                // The registered cycle keeps the bound too: frames that were still at the encoder or in the reorder
                // window when it was taken push its oldest whole GOPs out, as they would have in the buffer.
                while (taken.Count > Settings.FramesLimit)
                {
                    (taken, var dropped, _) = taken.DropOldestGop();
                    CountDropped(dropped, gops: 1, nodeBudget: false);
                }
                _s = _s with { Registrations = _s.Registrations.SetItem(index, registration with { Frames = taken }) };
                DispatchIfComplete(index);
                return;
            }

            // Room under the node's budget: this task's own oldest whole GOPs go first (never the one being built;
            // a keyframe closes the GOP before it, so then every GOP held is whole).
            var bytes = encoded.Packet.Data.LongLength;
            var keyframe = encoded.Packet.IsKeyframe;
            while (Free() < bytes && _s.Frames.Gops.Count > (keyframe ? 0 : 1))
                DropOldestGop(nodeBudget: true, lastIsWhole: keyframe);

            var (frames, kept) = _s.Frames.Append(frame);
            _s = _s with { Frames = frames };
            if (!kept)
            {
                CountDropped(1, gops: 0, nodeBudget: false);
                return;
            }
            while (_s.Frames.Count > Settings.FramesLimit) DropOldestGop(nodeBudget: false);
            if (Settings.Trigger.Span)
            {
                // A new GOP: what lies before the pre-roll can go (an idle task keeps only what an incident would need).
                if (keyframe && _s.Span.Open is null) TrimToPreRoll();
                RequestKeyframe();
            }
            StopIfDone();
        }

        public void EncodeFailed(FrameEncodeFailed failed)
        {
            var index = _s.Registrations.FindIndex(r => r.Cycle == failed.Cycle && r.Stage == RegistrationStage.Encoding);
            if (failed.Cycle == _s.Cycle && !CycleTaken)
            {
                _s = _s with { Frames = _s.Frames.FrameLost() };
            }
            else if (index >= 0)
            {
                var registration = _s.Registrations[index];
                _s = _s with { Registrations = _s.Registrations.SetItem(index, registration with { Frames = registration.Frames.FrameLost() }) };
                DispatchIfComplete(index);
            }
            CountDropped(1, gops: 0, nodeBudget: false);
            StopIfDone();
        }

        public void ReleaseWaited() => Release(ReleaseRule.Window);

        // ───── span incidents ─────

        public void SpanTick()
        {
            if (!Settings.Trigger.Span || _s.Span.Open is null) return;
            AdvanceSpan(_s.Span.NowAt(context.Now));
        }

        /// <summary>The opening keyframe is on disk (or failed): announce the incident, once.</summary>
        public void KeyframeDone(Guid eventId, string? imagePath)
        {
            var stage = imagePath is null ? KeyframeStage.Failed : KeyframeStage.Written;
            if (_s.Span.Open is { } open && open.EventId == eventId)
            {
                var done = open with { Keyframe = stage, ImagePath = imagePath };
                _s = _s with { Span = _s.Span with { Open = done.Announced ? done : Announce(done) } };
                return;
            }
            // The incident closed while its keyframe was being written: its registration carries it.
            var index = _s.Registrations.FindIndex(r => r.Incident?.EventId == eventId);
            if (index < 0) return;
            var registration = _s.Registrations[index];
            var incident = registration.Incident! with { Keyframe = stage, ImagePath = imagePath };
            if (!incident.Announced) incident = Announce(incident);
            _s = _s with { Registrations = _s.Registrations.SetItem(index, registration with { Incident = incident }) };
        }

        /// <summary>Capture time reached <paramref name="time"/>: the open incident may close (and continue as a new one).</summary>
        private void AdvanceSpan(double time)
        {
            var (span, transition) = SpanMachine.Advance(_s.Span, time, context.Now, Settings.Trigger);
            _s = _s with { Span = span };
            if (transition is not SpanTransition.Closed closed) return;
            CloseIncident(closed.Incident);
            if (closed.Next is { } next)
            {
                _effects.Add(new TaskEffect.Log("[{0}] incident {1} reached max-duration {2} and goes on as incident {3}",
                    [Key, closed.Incident.EventId, Settings.Trigger.MaxDuration, next.EventId]));
                RequestKeyframe();
            }
        }

        private void ObserveForSpan(bool detected, double time)
        {
            var cooling = _s.LastTriggered is { } last && context.Now - last < Settings.Trigger.Cooldown;
            var (span, transition) = SpanMachine.Status(_s.Span, detected, time, Settings.Trigger, mayOpen: context.EncoderAvailable && !cooling);
            _s = _s with { Span = span };
            if (transition is not SpanTransition.Opened opened) return;
            _effects.Add(new TaskEffect.Log("[{0}] more than {1:P0} of the last {2} statuses are detections: incident {3} opens at {4:F3}",
                [Key, Settings.Trigger.Ratio, Settings.Trigger.WindowSize, opened.Incident.EventId, opened.Incident.Start]));
            TrimToPreRoll();
            RequestKeyframe();
        }

        /// <summary>The incident's frames go to its registration, under its event id; frames captured after its end wait for the next cycle.</summary>
        private void CloseIncident(Incident incident)
        {
            _effects.Add(new TaskEffect.Log("[{0}] incident {1} closes: {2:F3} to {3:F3}", [Key, incident.EventId, incident.Start, incident.End ?? incident.Start]));
            // A cycle a registration already took is not this incident's: its frames start with a cycle of its own.
            if (CycleTaken) StartNewCycle();
            _s = _s with { LastTriggered = context.Now };
            TakeCycle(ActorRefs.Nobody, _s.LatestMessageJson ?? "{}", incident);
        }

        /// <summary>Asks for the open incident's keyframe, the frame of its opening detection, once the cycle holds it.</summary>
        private void RequestKeyframe()
        {
            if (_s.Span.Open is not { Keyframe: KeyframeStage.Wanted } open) return;
            if (KeyframeAt(_s.Frames, open.Start, orNewest: false) is not { } k) return;
            _effects.Add(new TaskEffect.Keyframe(new WriteKeyframe(open.EventId, Key, _s.Frames.Width, _s.Frames.Height, k.Packets)));
            _s = _s with { Span = _s.Span with { Open = open with { Keyframe = KeyframeStage.Writing, KeyframePts = k.Pts } } };
        }

        /// <summary>
        /// The first frame held captured at or after <paramref name="time"/> (within half a tick), with the packets of its
        /// GOP up to it (what decodes it); with <paramref name="orNewest"/>, the newest frame when none is that late.
        /// </summary>
        private (long Pts, Registrator.Media.EncodedPacket[] Packets)? KeyframeAt(CycleFrames frames, double time, bool orNewest)
        {
            if (frames.Gops.IsEmpty) return null;
            var earliest = time - (0.5 / context.FramesPerSecond);
            var (gopIndex, frameIndex) = (-1, -1);
            for (var g = 0; g < frames.Gops.Count && gopIndex < 0; g++)
            {
                var f = frames.Gops[g].Frames.FindIndex(x => CaptureTimeOf(x.Packet.Pts) >= earliest);
                if (f >= 0) (gopIndex, frameIndex) = (g, f);
            }
            if (gopIndex < 0)
            {
                if (!orNewest) return null;
                (gopIndex, frameIndex) = (frames.Gops.Count - 1, frames.Gops[^1].Frames.Count - 1);
            }
            var packets = frames.Gops[gopIndex].Frames.Take(frameIndex + 1).Select(x => x.Packet).ToArray();
            return (packets[^1].Pts, packets);
        }

        private Incident Announce(Incident incident)
        {
            var announced = incident with { Announced = true };
            _effects.Add(new TaskEffect.Publish(IncidentAnnouncement.For(Key, announced, context.NodeUrl)));
            return announced;
        }

        /// <summary>Drops the cycle's whole GOPs that end before the pre-roll: the first GOP kept starts at or before it.</summary>
        /// Measured from the newest capture time seen, not moved on by the wall clock: frames that arrive in a burst (a file
        /// read faster than real time, a slow encoder) must not make the task forget its pre-roll.
        private void TrimToPreRoll() =>
            _s = _s with { Frames = TrimBefore(_s.Frames, SpanMachine.KeepFrom(_s.Span, _s.Span.Newest ?? context.NowUnixSeconds, Settings.Trigger)) };

        /// <summary>Drops whole GOPs while the next one still starts at or before <paramref name="keepFrom"/> (a trim, not a counted drop).</summary>
        private CycleFrames TrimBefore(CycleFrames frames, double keepFrom)
        {
            while (frames.Gops.Count > 1 && CaptureTimeOf(frames.Gops[1].Frames[0].Packet.Pts) <= keepFrom)
                frames = frames.DropOldestGop(lastIsWhole: true).Frames;
            return frames;
        }

        /// <summary>A packet's capture time: its tick on the task's 1/fps grid from the clock's epoch.</summary>
        private double CaptureTimeOf(long pts) => (_s.Clock.Epoch ?? 0) + (double)pts / context.FramesPerSecond;

        // ───── registrations ─────

        public void ClipWritten(Guid eventId, string? videoPath, string? imagePath, string? error)
        {
            var index = _s.Registrations.FindIndex(r => r.EventId == eventId);
            if (index >= 0 && _s.Registrations[index].Stage == RegistrationStage.Writing)
            {
                Settle(index, videoPath, imagePath, error);
                return;
            }
            // Late: the timeout already recorded this event without its clip, and it is recorded once. What the encoder
            // wrote meanwhile is nobody's, except an incident's opening keyframe, which the recorded event names (same
            // path). A registration already gone leaves its files to the orphan sweep: nothing here says whose they are.
            if (index < 0) return;
            var keepImage = _s.Registrations[index].Incident?.ImagePath is not null;
            string[] orphans = [.. new[] { videoPath, keepImage ? null : imagePath }.OfType<string>()];
            if (orphans.Length > 0) _effects.Add(new TaskEffect.Discard(new DiscardClip(eventId, Key, orphans)));
        }

        public void EventAccepted(Guid eventId)
        {
            var index = _s.Registrations.FindIndex(r => r.EventId == eventId);
            if (index < 0) return;
            _s = _s with { Registrations = _s.Registrations.RemoveAt(index) };
            _effects.Add(new TaskEffect.CancelTimeout(eventId));
            StopIfDone();
        }

        public void TimedOut(Guid eventId)
        {
            var index = _s.Registrations.FindIndex(r => r.EventId == eventId);
            if (index < 0) return;
            var registration = _s.Registrations[index];
            if (registration.Stage != RegistrationStage.Recording)
            {
                Settle(index, null, null, $"encoder did not answer within {Settings.RegistrationTimeout}");
                // The event now waits for the store: it gets a timeout of its own, or a stop would wait for it forever.
                _effects.Add(new TaskEffect.StartTimeout(eventId));
                return;
            }
            _effects.Add(new TaskEffect.Log("[{0}] event {1}: the event store did not accept the event within {2}", [Key, eventId, Settings.RegistrationTimeout]));
            _effects.Add(new TaskEffect.Notify(registration.ReplyTo, new TaskEvents.RegistrationFailed(Key, "event store did not accept the event in time")));
            _s = _s with { Registrations = _s.Registrations.RemoveAt(index) };
            StopIfDone();
        }

        /// <summary>
        /// DONE (registering): the registration takes the cycle — frames, statuses' statistics, message. An incident's
        /// registration takes the frames captured up to its end; later ones in the reorder window start the next cycle.
        /// </summary>
        private void TakeCycle(IActorRef replyTo, string messageJson, Incident? incident = null)
        {
            // Frames still in the reorder window belong to this cycle (an incident's: up to its end).
            Release(incident?.End is { } end ? ReleaseRule.UpTo(end) : ReleaseRule.All);
            var registration = new TaskRegistration(
                incident?.EventId ?? Guid.NewGuid(), replyTo, messageJson, _s.Cycle, _s.Frames with { Pending = [] }, FrameIdOf(messageJson),
                _s.Statuses.Count, MostCommonStatus.Of(_s.Statuses), Incident: incident);
            _s = _s with
            {
                Column = LifecycleColumn.Registering,
                Registrations = _s.Registrations.Add(registration),
                Frames = CycleFrames.Empty with { Width = _s.Frames.Width, Height = _s.Frames.Height, Pending = _s.Frames.Pending },
            };
            _effects.Add(new TaskEffect.StartTimeout(registration.EventId));
            DispatchIfComplete(_s.Registrations.Count - 1);
        }

        /// <summary>Once every frame of the registration's cycle is back from the encoder, the clip can be written.</summary>
        private void DispatchIfComplete(int index)
        {
            var registration = _s.Registrations[index];
            if (registration.Stage != RegistrationStage.Encoding || registration.Frames.InFlight > 0) return;
            if (registration.Incident is { } incident)
            {
                // The frames that came back after the incident opened (a burst, a slow encoder) are trimmed to the pre-roll
                // here, and a keyframe not written yet is written now, ahead of the clip: it is announced before the event.
                var trimmed = TrimBefore(registration.Frames, incident.Start - Settings.Trigger.PreRoll.TotalSeconds);
                if (incident.Keyframe == KeyframeStage.Wanted && KeyframeAt(trimmed, incident.Start, orNewest: true) is { } k)
                {
                    _effects.Add(new TaskEffect.Keyframe(new WriteKeyframe(incident.EventId, Key, trimmed.Width, trimmed.Height, k.Packets)));
                    incident = incident with { Keyframe = KeyframeStage.Writing, KeyframePts = k.Pts };
                }
                registration = registration with { Frames = trimmed, Incident = incident };
                _s = _s with { Registrations = _s.Registrations.SetItem(index, registration) };
            }
            var frames = registration.Frames.AllFrames();
            if (frames.IsEmpty)
            {
                Settle(index, null, null, "no frames to encode: the task buffered no frame in this cycle");
                return;
            }
            // An incident keeps the keyframe it was announced with; other events take the message's frame, else the newest.
            var keyframe = registration.Incident?.KeyframePts is { } pts ? frames.FindIndex(f => f.Packet.Pts == pts) : -1;
            if (keyframe < 0) keyframe = frames.FindLastIndex(f => registration.KeyframeId is not null && string.Equals(f.FrameId, registration.KeyframeId, StringComparison.Ordinal));
            if (keyframe < 0) keyframe = frames.Count - 1;
            _s = _s with { Registrations = _s.Registrations.SetItem(index, registration with { Stage = RegistrationStage.Writing, FrameCount = frames.Count }) };
            _effects.Add(new TaskEffect.Write(new WriteClip(
                registration.EventId, Key, registration.Frames.Width, registration.Frames.Height,
                [.. frames.Select(f => f.Packet)], keyframe, context.FramesPerSecond)));
        }

        /// <summary>The clip is written or failed: FINISHED or ERROR, its packets freed, the event to the store.</summary>
        private void Settle(int index, string? videoPath, string? imagePath, string? error)
        {
            var registration = _s.Registrations[index];
            var outcome = error is null ? LifecycleColumn.Finished : LifecycleColumn.Error;
            // Only the cycle still showing DONE (registering) shows its outcome: a newer cycle has its own state.
            if (_s.Column == LifecycleColumn.Registering && registration.Cycle == _s.Cycle) _s = _s with { Column = outcome };
            var frameCount = Math.Max(registration.FrameCount, registration.Frames.Count);
            _s = _s with
            {
                Registrations = _s.Registrations.SetItem(index, registration with
                {
                    Stage = RegistrationStage.Recording,
                    Frames = CycleFrames.Empty,
                    FrameCount = frameCount,
                }),
            };
            if (registration.Incident is { Announced: false } unannounced)
            {
                // Whatever happened to its keyframe, the incident is announced before its event is.
                _s = _s with { Registrations = _s.Registrations.SetItem(index, _s.Registrations[index] with { Incident = Announce(unannounced) }) };
            }
            // A clip that failed still leaves the incident's opening keyframe, already announced.
            if (registration.Incident?.ImagePath is { } opening && imagePath is null) imagePath = opening;
            var recorded = new RegisteredEvent(
                registration.EventId, Key, registration.MessageJson, videoPath, imagePath, error,
                context.Now.ToUnixTimeMilliseconds() / 1000.0,
                new TaskStatistics(frameCount, registration.StatusCount, registration.MostCommonStatus, registration.Cycle))
            {
                Start = registration.Incident?.Start,
                End = registration.Incident?.End,
            };
            _effects.Add(new TaskEffect.Record(recorded, registration.ReplyTo));
        }

        private void StopIfDone()
        {
            if (_s.StopRequested && _s.Registrations.IsEmpty && _s.Frames.InFlight == 0 && _s.Frames.Pending.IsEmpty)
                _effects.Add(TaskEffect.StopSelf.Instance);
        }

        // ───── statuses and the trigger ─────

        /// <summary>The window policy: over the statuses since the last event, enough detections register it with the latest message.</summary>
        private void ObserveForTrigger(bool detected, double time)
        {
            var trigger = Settings.Trigger;
            if (trigger.Policy == Configuration.TriggerPolicy.Manual) return;
            var (next, fire) = _s.Trigger.Observe(detected);
            _s = _s with { Trigger = next };
            if (trigger.Span)
            {
                ObserveForSpan(detected, time);
                return;
            }
            if (!fire) return;
            if (_s.LastTriggered is { } last && context.Now - last < trigger.Cooldown)
            {
                _effects.Add(new TaskEffect.Log("[{0}] window fired within the {1} cooldown: not registering", [Key, trigger.Cooldown]));
                return;
            }
            if (!context.EncoderAvailable) return;
            _effects.Add(new TaskEffect.Log("[{0}] {1} of {2} statuses since the last event are detections (more than {3:P0}): registering",
                [Key, next.Detections, next.Seen, trigger.Ratio]));
            _s = _s with { LastTriggered = context.Now };
            TakeCycle(ActorRefs.Nobody, _s.LatestMessageJson ?? "{}");
        }

        private bool IsNewer(double? timestamp) =>
            timestamp is null || _s.LatestMessageTime is not { } current || timestamp >= current;

        // ───── frames: reorder window, capture clock, encoder, bounds ─────

        private abstract record ReleaseRule
        {
            public static readonly ReleaseRule Window = new ByWindow();
            public static readonly ReleaseRule All = new Everything();
            public static ReleaseRule UpTo(double captureTime) => new Until(captureTime);
            public sealed record ByWindow : ReleaseRule;
            public sealed record Everything : ReleaseRule;
            public sealed record Until(double CaptureTime) : ReleaseRule;
        }

        /// <summary>
        /// Sends the frames that may no longer be overtaken to the encoder, in capture order: those the window has
        /// passed (in capture time or in waiting time), or all of them. A frame on the same 1/fps tick as the previous
        /// kept frame is skipped (counted).
        /// </summary>
        private void Release(ReleaseRule rule)
        {
            // Frames an incident's registration left waiting (captured after its end) are the next cycle's: should a
            // timer release them before any command started that cycle, it starts now (CREATED, as a frame would).
            if (CycleTaken && !_s.Frames.Pending.IsEmpty)
            {
                StartNewCycle();
                _s = _s with { Column = TaskLifecycle.ColumnOf(TaskState.Created) };
            }
            var frames = _s.Frames;
            var window = Settings.ReorderWindow;
            var clock = _s.Clock;
            var released = 0;
            foreach (var pending in frames.Pending)
            {
                var due = rule switch
                {
                    ReleaseRule.Everything => true,
                    ReleaseRule.Until until => pending.CaptureTime <= until.CaptureTime,
                    _ => pending.CaptureTime <= clock.Newest - window.TotalSeconds || context.Now - pending.ArrivedAt >= window,
                };
                if (!due) break;
                released++;
                // The grid starts at the first frame sent to the encoder, the earliest captured one (the first to
                // arrive may have overtaken it): pts are never negative.
                clock = clock with { Epoch = clock.Epoch ?? pending.CaptureTime };
                var tick = clock.TickOf(pending.CaptureTime, context.FramesPerSecond);
                // A frame without a capture time is never dropped for its rate: arriving within 1/fps of the previous
                // frame (a burst, an offline source) it takes the next tick, as the Python module writes every buffered
                // frame at fps. Frames with a capture time keep one per tick, so a 25 fps capture plays at real speed.
                if (!pending.Timed && tick <= clock.LastTick && clock.LastTick != long.MinValue) tick = clock.LastTick + 1;
                if (tick <= clock.LastTick)
                {
                    _s = _s with { Counters = _s.Counters with { FramesSkipped = _s.Counters.FramesSkipped + 1 } };
                    continue;
                }
                clock = clock with { LastTick = tick, LastKeptTime = pending.CaptureTime };
                _effects.Add(new TaskEffect.Encode(new EncodeFrame(
                    Key, _s.Cycle, frames.Width, frames.Height, pending.Pixels, tick, frames.ForceKeyframeNext, pending.FrameId, pending.Format,
                    context.FramesPerSecond)));
                frames = frames with { InFlight = frames.InFlight + 1, ForceKeyframeNext = false };
            }
            _s = _s with { Clock = clock, Frames = frames with { Pending = frames.Pending.RemoveRange(0, released) } };
        }

        /// <summary>Room for <paramref name="bytes"/> under the node's budget, dropping this task's own oldest GOPs; false when there is none.</summary>
        private bool MakeRoom(long bytes)
        {
            while (Free() < bytes)
            {
                if (_s.Frames.Gops.Count <= 1) return false;
                DropOldestGop(nodeBudget: true);
            }
            return true;
        }

        /// <summary>Room left under the node's budget, after what this step has taken or freed so far.</summary>
        private long Free() => context.NodeBytesFree - (_s.HeldBytes - _heldBefore);

        private void DropOldestGop(bool nodeBudget, bool lastIsWhole = false)
        {
            var (frames, dropped, _) = _s.Frames.DropOldestGop(lastIsWhole);
            _s = _s with { Frames = frames };
            CountDropped(dropped, gops: 1, nodeBudget);
        }

        private void CountDropped(int frames, int gops, bool nodeBudget)
        {
            var c = _s.Counters;
            _s = _s with
            {
                Counters = c with
                {
                    FramesDropped = c.FramesDropped + frames,
                    GopsDropped = c.GopsDropped + gops,
                    FramesBudgetDropped = c.FramesBudgetDropped + (nodeBudget ? frames : 0),
                },
            };
        }

        /// <summary>
        /// The current cycle belongs to a registration: DONE (registering), or FINISHED / ERROR (reached only by a
        /// registration settling): its packets still at the encoder go to that registration, never to the current frames.
        /// </summary>
        private bool CycleTaken => _s.Column is LifecycleColumn.Registering or LifecycleColumn.Finished or LifecycleColumn.Error;

        private void StartNewCycle() => _s = _s with
        {
            Cycle = _s.Cycle + 1,
            Statuses = StatusHistory.Empty,
            // Raw frames still waiting belong to the new cycle (an incident's registration left those captured after its end).
            Frames = _s.Frames.Pending.IsEmpty ? CycleFrames.Empty : CycleFrames.Empty with { Width = _s.Frames.Width, Height = _s.Frames.Height, Pending = _s.Frames.Pending },
            Trigger = _s.Trigger.Reset(),
            LatestMessageJson = null,
            LatestMessageTime = null,
        };

        private string? ValidateFrame(AddFrame frame)
        {
            var max = Settings.MaxFrameDimension;
            if (frame.Width <= 0 || frame.Height <= 0 || frame.Width > max || frame.Height > max)
                return $"frame size {frame.Width}x{frame.Height} is out of range (1..{max} pixels per side)";
            var expected = 3L * frame.Width * frame.Height;
            var actual = frame.Pixels?.LongLength ?? 0;
            switch (frame.Format)
            {
                case FrameFormat.Bgr24 when actual != expected:
                    return $"frame of {frame.Width}x{frame.Height} BGR24 needs {expected} bytes, got {actual}";
                case FrameFormat.Jpeg when actual is 0 || actual > expected:
                    return $"JPEG frame of {frame.Width}x{frame.Height} has {actual} bytes (1..{expected} expected)";
                case not (FrameFormat.Bgr24 or FrameFormat.Jpeg):
                    return $"unknown frame format {frame.Format}";
            }
            if (frame.CaptureTime is { } t && (!double.IsFinite(t) || t <= 0))
                return string.Create(CultureInfo.InvariantCulture, $"capture time {t} is not a positive Unix time in seconds");
            return null;
        }

        // ───── the table ─────

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

    /// <summary>The message is a JSON object; its numeric <c>timestamp</c> (seconds), when present, orders messages.</summary>
    private static bool TryReadMessage(string? json, out double? timestamp)
    {
        timestamp = null;
        if (string.IsNullOrWhiteSpace(json)) return false;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return false;
            if (document.RootElement.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetDouble(out var seconds))
                timestamp = seconds;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
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
}
