using Akka.Event;
using Registrator.Actors.Redis;

namespace Registrator.Actors.EventStore;

/// <summary>
/// What the store says about Redis deliveries, chosen from the <see cref="DeliveryState"/>'s verdict: a permanent
/// refusal on each attempt, the first transient failure and then a reminder now and then (not one line per retry),
/// the end of an outage, and a dead letter loudly.
/// </summary>
internal sealed class DeliveryLog(ILoggingAdapter log, string endpoint, int poisonAttempts)
{
    public void Failed(DeliveryState delivery, DeliveryVerdict verdict, PendingEvent pending, Exception cause, long undelivered, TimeSpan delay, DateTimeOffset now)
    {
        if (delivery.PermanentFailures > 0 && RedisErrors.IsPermanent(cause))
            log.Warning("Redis {0} refused event {1} of task {2} ({3}); attempt {4} of {5} before it goes to the dead letters",
                endpoint, pending.EventId, pending.Event.TaskKey, cause.Message, delivery.PermanentFailures, poisonAttempts);
        else if (verdict == DeliveryVerdict.RetryFirstFailure)
            log.Warning(cause, "Redis {0} did not take event {1}; {2} events wait in the outbox and are retried with back-off, in order",
                endpoint, pending.EventId, undelivered);
        else if (verdict == DeliveryVerdict.RetryReminder)
            log.Warning("Redis {0} still failing after {1} attempts over {2:g} ({3}: {4}); {5} events wait in the outbox",
                endpoint, delivery.Attempt, now - delivery.FailingSince!.Value, cause.GetType().Name, cause.Message, undelivered);
        else if (log.IsDebugEnabled)
            log.Debug("Redis {0}: attempt {1} failed ({2}); next in {3:g}", endpoint, delivery.Attempt, cause.Message, delay);
    }

    public void Back(TimeSpan outage, long undelivered) =>
        log.Info("Redis {0} is back after {1:g}; {2} more waiting events follow", endpoint, outage, undelivered);

    public void DeadLettered(DeadLetter letter, string taskKey, string file, long undelivered) =>
        log.Error("Event {0} of task {1} moved to the dead letters {2} after {3} attempts: Redis refused it ({4}). It is NOT in Redis; " +
                  "fix the cause and run `registrator dead-letters replay`. {5} more events follow",
            letter.EventId, taskKey, file, letter.Attempts, letter.Reason, undelivered);

    public void DeadLetterFailed(Guid eventId, string file, Exception cause, TimeSpan delay) =>
        // The event stays at the head; the next permanent refusal tries the dead-letter file again.
        log.Error(cause, "Event {0}: could not write it to the dead letters {1} ({2}); retrying in {3:g}", eventId, file, cause.Message, delay);
}
