namespace Registrator.Actors.Logging;

/// <summary>
/// Decides whether a warning of one kind may be logged now: at most once per interval per key, reporting how many were
/// held back since. A flood of bad input then costs a counter increment each, not a log line each. Owned by one actor
/// (not thread-safe).
/// </summary>
internal sealed class LogThrottle(TimeSpan interval)
{
    private readonly Dictionary<string, (DateTime Last, long Suppressed)> _byKey = new(StringComparer.Ordinal);

    /// <summary>True when the caller should log now; <paramref name="suppressed"/> is how many were not logged since the last one.</summary>
    public bool ShouldLog(string key, DateTime now, out long suppressed)
    {
        if (_byKey.TryGetValue(key, out var entry) && now - entry.Last < interval)
        {
            _byKey[key] = entry with { Suppressed = entry.Suppressed + 1 };
            suppressed = 0;
            return false;
        }
        suppressed = entry.Suppressed;
        _byKey[key] = (now, 0);
        return true;
    }
}
