namespace Registrator.Actors.EventStore;

/// <summary>
/// Exponential back-off with jitter, as Akka's BackoffSupervisor computes it: <c>min × 2^(attempt−1)</c>, capped at
/// <c>max</c>, then stretched by up to <c>randomFactor</c>, so nodes that lost Redis together do not retry in step.
/// </summary>
public static class Backoff
{
    /// <param name="attempt">1 for the delay after the first failure.</param>
    /// <param name="random">A number in [0, 1): <see cref="Random.Shared"/> in production, fixed in tests.</param>
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, double randomFactor, double random)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var capped = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(capped * (1 + randomFactor * random));
    }
}
