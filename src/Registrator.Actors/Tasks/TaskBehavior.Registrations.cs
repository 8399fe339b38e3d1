using System.Text.Json;
using Akka.Actor;
using Registrator.Actors.Encoding;
using Registrator.Actors.Events;
using Registrator.Contracts;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tasks;

public static partial class TaskBehavior
{
    // Registrations: from taking the cycle, through the clip and the event store, to the event being safe (or timed out).
    private sealed partial class Step
    {
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
            _latestMessageBytes = null;
            TakeCycle(context.Sender, command.MessageJson);
            // The requester hears from the event store (EventRegistered) or from us (RegistrationFailed), not Accepted.
        }

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
