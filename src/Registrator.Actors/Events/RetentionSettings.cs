using Akka.Configuration;

namespace Registrator.Actors.Events;

/// <summary>
/// How long events stay in the sorted set (the documentation's advice to watch Redis and disk), from
/// <c>registrator.events.retention</c>. Read by <see cref="EventRetention"/>, run on the <see cref="EventStoreActor"/>'s timer.
/// </summary>
public sealed record RetentionSettings
{
    /// <summary>How often retention runs; <see cref="TimeSpan.Zero"/> = never.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Events whose score is older than this are removed; <see cref="TimeSpan.Zero"/> = no age limit.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>At most this many events are kept, the newest; 0 = no limit.</summary>
    public long MaxEvents { get; init; }

    public bool Enabled => Interval > TimeSpan.Zero && (MaxAge > TimeSpan.Zero || MaxEvents > 0);

    public static RetentionSettings From(Config? retention)
    {
        var defaults = new RetentionSettings();
        if (retention is null || retention.IsEmpty) return defaults;
        var settings = new RetentionSettings
        {
            Interval = retention.GetTimeSpan("interval", defaults.Interval),
            MaxAge = retention.GetTimeSpan("max-age", defaults.MaxAge),
            MaxEvents = retention.GetLong("max-events", defaults.MaxEvents),
        };
        if (settings.Interval < TimeSpan.Zero) throw new ConfigurationException("registrator.events.retention.interval must not be negative");
        if (settings.MaxAge < TimeSpan.Zero) throw new ConfigurationException("registrator.events.retention.max-age must not be negative");
        if (settings.MaxEvents < 0) throw new ConfigurationException($"registrator.events.retention.max-events must be 0 or more, got {settings.MaxEvents}");
        return settings;
    }
}
