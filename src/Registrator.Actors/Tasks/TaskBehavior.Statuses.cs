using System.Text.Json;
using Akka.Actor;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tasks;

public static partial class TaskBehavior
{
    // Statuses: one or a batch through the table and the bound, and the window trigger that registers on enough detections.
    private sealed partial class Step
    {
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
                var flag = minScore is { } threshold ? DetectionFlag.Of(status.Message, threshold) ?? status.Flag : status.Flag;
                if (AddOneStatus(flag, null, status.Message, status.MessageTime)) accepted++;
                else
                {
                    rejected++;
                    reason ??= (Reply as Rejected)?.Reason;
                }
            }
            Reply = new StatusBatchAnswer(Key, _s.State, accepted, rejected, reason);
        }

        public void AddStatus(AddStatus command)
        {
            double? timestamp = null;
            if (command.MessageJson is not null && !TryReadMessage(command.MessageJson, out timestamp))
            {
                Reject("message must be a JSON object");
                return;
            }
            if (AddOneStatus(command.Flag, command.MessageJson, null, timestamp)) Reply = new Accepted(Key, _s.State);
        }

        /// <summary>
        /// One status through the lifecycle table, the bound and the trigger; false (and a Rejected reply) when the table
        /// rejects it. Its message comes as a string (<paramref name="messageJson"/>) or as UTF-8 bytes
        /// (<paramref name="messageBytes"/>), which become the latest message's string only when it is read.
        /// </summary>
        private bool AddOneStatus(bool flag, string? messageJson, ReadOnlyMemory<byte>? messageBytes, double? timestamp)
        {
            var time = timestamp ?? context.NowUnixSeconds;
            // First the incident that this status's time closes, so the status itself belongs to the next cycle.
            if (Settings.Trigger.Span) AdvanceSpan(time);
            if (Decide(TaskCommandKind.AddStatus) is not { } decision) return false;
            var (statuses, droppedOldest) = _s.Statuses.Add(flag, Settings.MaxStatuses);
            var counters = droppedOldest ? _s.Counters with { StatusesDropped = _s.Counters.StatusesDropped + 1 } : _s.Counters;
            var newer = (messageJson is not null || messageBytes is not null) && IsNewer(timestamp);
            _s = newer
                ? _s with { Statuses = statuses, Counters = counters, Column = TaskLifecycle.ColumnOf(decision.Next), LatestMessageJson = messageJson, LatestMessageTime = timestamp }
                : _s with { Statuses = statuses, Counters = counters, Column = TaskLifecycle.ColumnOf(decision.Next) };
            if (newer) _latestMessageBytes = messageBytes;
            ObserveForTrigger(flag, time);
            return true;
        }

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
            TakeCycle(ActorRefs.Nobody, LatestMessage() ?? "{}");
        }

        private bool IsNewer(double? timestamp) =>
            timestamp is null || _s.LatestMessageTime is not { } current || timestamp >= current;
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
}
