using Akka.Event;
using Registrator.Actors.Logging;

namespace Registrator.Actors.Nats;

/// <summary>
/// The one place a skipped message is accounted for: counted in the node's <see cref="BadInputCounters"/> by reason,
/// and logged at most once per <c>bad-input-log-interval</c> per reason with how many were held back since. Every
/// subject actor of the <see cref="NatsBridge"/> owns one (not thread-safe: used on its actor's thread only).
/// </summary>
internal sealed class BadInputAccount(BadInputCounters counters, TimeSpan logInterval, ILoggingAdapter log)
{
    private readonly LogThrottle _throttle = new(logInterval);

    public void Count(string subject, BadInput input)
    {
        counters.Increment(input.Reason, input.Count);
        var reason = input.Reason.Name();
        if (!_throttle.ShouldLog(reason, DateTime.UtcNow, out var suppressed)) return;
        log.Warning("NATS {0}: skipped ({1}; {2} more since the last report): {3}", subject, reason, suppressed, input.Detail);
    }
}
