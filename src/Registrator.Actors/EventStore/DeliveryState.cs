using Registrator.Actors.Redis;

namespace Registrator.Actors.EventStore;

/// <summary>What <see cref="DeliveryState.Failed"/> decided about a failed write of the head event.</summary>
public enum DeliveryVerdict
{
    /// <summary>Back off and write it again; the first failure of an outage (log it).</summary>
    RetryFirstFailure,
    /// <summary>Back off and write it again; a reminder is due (the outage goes on).</summary>
    RetryReminder,
    /// <summary>Back off and write it again; nothing to log beyond debug.</summary>
    RetryQuietly,
    /// <summary>Redis refused it for good poison-attempts times: move it to the dead letters.</summary>
    DeadLetter,
}

/// <summary>
/// The Redis side of the event store as plain state, no actor and no Redis: one write at a time, back-off after a
/// failure, an outage's start and its last reminder, and the count of permanent refusals (<see cref="RedisErrors"/>)
/// of the head event that sends it to the dead letters. Transient failures never count towards that.
/// </summary>
public sealed class DeliveryState(int poisonAttempts, TimeSpan reminderInterval)
{
    private DateTimeOffset _lastReminder;

    /// <summary>A write (or the dead-letter write of the head) is in flight.</summary>
    public bool Writing { get; private set; }
    public bool BackingOff { get; private set; }

    /// <summary>Failed writes in a row (the back-off's exponent).</summary>
    public int Attempt { get; private set; }

    /// <summary>Permanent refusals of the head event.</summary>
    public int PermanentFailures { get; private set; }

    /// <summary>When the current run of failures began; <c>null</c> while writes succeed.</summary>
    public DateTimeOffset? FailingSince { get; private set; }

    public bool CanStart => !Writing && !BackingOff;

    public void Started() => Writing = true;

    /// <summary>Redis has the head event; returns how long it had been failing (<c>null</c>: it was not).</summary>
    public TimeSpan? Delivered(DateTimeOffset now)
    {
        var outage = now - FailingSince;
        Reset();
        return outage;
    }

    /// <summary>A write of the head event failed with <paramref name="cause"/> at <paramref name="now"/>.</summary>
    public DeliveryVerdict Failed(Exception cause, DateTimeOffset now)
    {
        Writing = false;
        if (RedisErrors.IsPermanent(cause) && ++PermanentFailures >= poisonAttempts)
        {
            // The dead-letter write keeps deliveries paused.
            Writing = true;
            return DeliveryVerdict.DeadLetter;
        }
        Attempt++;
        BackingOff = true;
        if (FailingSince is null)
        {
            FailingSince = now;
            _lastReminder = now;
            return DeliveryVerdict.RetryFirstFailure;
        }
        if (now - _lastReminder >= reminderInterval)
        {
            _lastReminder = now;
            return DeliveryVerdict.RetryReminder;
        }
        return DeliveryVerdict.RetryQuietly;
    }

    /// <summary>The head event is in the dead letters: the next one starts afresh.</summary>
    public void DeadLettered() => Reset();

    /// <summary>The dead-letter file could not be written: back off; the next permanent refusal tries it again.</summary>
    public int DeadLetterFailed()
    {
        Writing = false;
        BackingOff = true;
        return ++Attempt;
    }

    /// <summary>The back-off timer fired.</summary>
    public void RetryNow() => BackingOff = false;

    /// <summary>The client reconnected: true when a back-off was cut short (write now).</summary>
    public bool Restored()
    {
        if (!BackingOff) return false;
        BackingOff = false;
        return true;
    }

    /// <summary>A stale answer (not about the head): the write is over.</summary>
    public void Abandoned() => Writing = false;

    private void Reset()
    {
        Writing = false;
        Attempt = 0;
        PermanentFailures = 0;
        FailingSince = null;
    }
}
