using Akka.Actor;
using Registrator.Actors.Encoding;

namespace Registrator.Actors.Tasks;

public static partial class TaskBehavior
{
    // The span policy: incidents opening on detections, closing post-roll after the last one, their pre-roll and opening keyframe.
    private sealed partial class Step
    {
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
            TakeCycle(ActorRefs.Nobody, LatestMessage() ?? "{}", incident);
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
    }
}
