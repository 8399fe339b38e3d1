using Akka.Configuration;

namespace Registrator.Actors.Events;

/// <summary>
/// How long events stay in Redis and their files on the nodes' disks (the documentation's advice to watch Redis and
/// disk), from <c>registrator.events.retention</c>. Read by the <see cref="RetentionActor"/> of each node, which
/// deletes only the files its node holds (<see cref="RetentionPolicy"/>).
/// </summary>
public sealed record RetentionSettings
{
    /// <summary>How often retention runs; <see cref="TimeSpan.Zero"/> = never.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Events whose score is older than this are removed; <see cref="TimeSpan.Zero"/> = no age limit.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>At most this many events are kept, the newest (the list store: in each task's list); 0 = no limit.</summary>
    public long MaxEvents { get; init; }
    /// <summary>This node's <see cref="Events.NodeName"/>; <c>null</c> = the UUID kept in the output folder.</summary>
    public string? NodeName { get; init; }
    /// <summary>How often the node tells the registry in Redis that it is alive (and so still holds its files).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>A node silent for longer than this is gone: other nodes remove its expired events; <see cref="TimeSpan.Zero"/> = never.</summary>
    public TimeSpan AbandonAfter { get; init; } = TimeSpan.FromDays(1);
    /// <summary>How often the node deletes orphans from its output folder (<see cref="OrphanSweep"/>); <see cref="TimeSpan.Zero"/> = never.</summary>
    public TimeSpan OrphanSweepInterval { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Files younger than this are never orphans: a registration writes its files before its record exists.</summary>
    public TimeSpan OrphanGrace { get; init; } = TimeSpan.FromHours(1);

    /// <summary>True when expired events are removed at all.</summary>
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
            NodeName = retention.GetString("node-name", "") is { Length: > 0 } name ? name.Trim() : null,
            HeartbeatInterval = retention.GetTimeSpan("heartbeat-interval", defaults.HeartbeatInterval),
            AbandonAfter = retention.GetTimeSpan("abandon-after", defaults.AbandonAfter),
            OrphanSweepInterval = retention.GetTimeSpan("orphan-sweep-interval", defaults.OrphanSweepInterval),
            OrphanGrace = retention.GetTimeSpan("orphan-grace", defaults.OrphanGrace),
        };
        const string prefix = "registrator.events.retention.";
        if (settings.Interval < TimeSpan.Zero) throw new ConfigurationException(prefix + "interval must not be negative");
        if (settings.MaxAge < TimeSpan.Zero) throw new ConfigurationException(prefix + "max-age must not be negative");
        if (settings.MaxEvents < 0) throw new ConfigurationException($"{prefix}max-events must be 0 or more, got {settings.MaxEvents}");
        if (settings.NodeName is { Length: > Events.NodeName.MaxLength })
            throw new ConfigurationException($"{prefix}node-name must be at most {Events.NodeName.MaxLength} characters");
        if (settings.HeartbeatInterval <= TimeSpan.Zero) throw new ConfigurationException(prefix + "heartbeat-interval must be positive");
        if (settings.AbandonAfter < TimeSpan.Zero) throw new ConfigurationException(prefix + "abandon-after must not be negative");
        // A node is taken for gone only after missing several heartbeats, never because one was late.
        if (settings.AbandonAfter > TimeSpan.Zero && settings.AbandonAfter < 3 * settings.HeartbeatInterval)
            throw new ConfigurationException($"{prefix}abandon-after must be 0s or at least 3 × heartbeat-interval ({3 * settings.HeartbeatInterval:g}), got {settings.AbandonAfter:g}");
        if (settings.OrphanSweepInterval < TimeSpan.Zero) throw new ConfigurationException(prefix + "orphan-sweep-interval must not be negative");
        if (settings.OrphanGrace <= TimeSpan.Zero) throw new ConfigurationException(prefix + "orphan-grace must be positive");
        return settings;
    }
}
