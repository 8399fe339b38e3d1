using System.Globalization;
using Registrator.Actors.Encoding;
using Registrator.Contracts;

namespace Registrator.Actors.Tasks;

public static partial class TaskBehavior
{
    // Frames: the reorder window and the capture clock to the encoder, packets back into GOPs under the frame and node bounds.
    private sealed partial class Step
    {
        public void AddFrame(TaskCommands.AddFrame command)
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
            Reply = new TaskReplies.Accepted(Key, _s.State);
        }

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

        private string? ValidateFrame(TaskCommands.AddFrame frame)
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
    }
}
