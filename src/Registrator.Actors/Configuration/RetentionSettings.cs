using Registrator.Actors.EventStore.Retention;

namespace Registrator.Actors.Configuration;

/// <summary>
/// How long events stay in Redis and their files on the nodes' disks (the documentation's advice to watch Redis and
/// disk), from <c>registrator.events.retention</c>. Read by the <see cref="RetentionActor"/> of each node, which
/// deletes only the files its node holds (<see cref="RetentionPolicy"/>).
/// </summary>
public sealed record RetentionSettings
{
    /// <summary>How often retention runs; <see cref="TimeSpan.Zero"/> = never.</summary>
    public required TimeSpan Interval { get; init; }
    /// <summary>Events whose score is older than this are removed; <see cref="TimeSpan.Zero"/> = no age limit.</summary>
    public required TimeSpan MaxAge { get; init; }
    /// <summary>At most this many events are kept, the newest (the list store: in each task's list); 0 = no limit.</summary>
    public required long MaxEvents { get; init; }
    /// <summary>This node's <see cref="EventStore.NodeName"/>; <c>null</c> = the UUID kept in the output folder.</summary>
    public required string? NodeName { get; init; }
    /// <summary>How often the node tells the registry in Redis that it is alive (and so still holds its files).</summary>
    public required TimeSpan HeartbeatInterval { get; init; }
    /// <summary>A node silent for longer than this is gone: other nodes remove its expired events; <see cref="TimeSpan.Zero"/> = never.</summary>
    public required TimeSpan AbandonAfter { get; init; }
    /// <summary>How often the node deletes orphans from its output folder (<see cref="OrphanSweep"/>); <see cref="TimeSpan.Zero"/> = never.</summary>
    public required TimeSpan OrphanSweepInterval { get; init; }
    /// <summary>Files younger than this are never orphans: a registration writes its files before its record exists.</summary>
    public required TimeSpan OrphanGrace { get; init; }
    /// <summary>How long an orphan sweep waits for the event store to say what it has not yet delivered.</summary>
    public required TimeSpan StoreTimeout { get; init; }

    /// <summary>True when expired events are removed at all.</summary>
    public bool Enabled => Interval > TimeSpan.Zero && (MaxAge > TimeSpan.Zero || MaxEvents > 0);

    public static RetentionSettings From(SettingsReader retention)
    {
        var nodeName = retention.Optional("node-name")?.Trim();
        if (nodeName is { Length: > EventStore.NodeName.MaxLength })
            throw retention.Invalid("node-name", $"must be at most {EventStore.NodeName.MaxLength} characters");
        var heartbeat = retention.PositiveDuration("heartbeat-interval");
        var abandonAfter = retention.NonNegativeDuration("abandon-after");
        // A node is taken for gone only after missing several heartbeats, never because one was late.
        if (abandonAfter > TimeSpan.Zero && abandonAfter < 3 * heartbeat)
            throw retention.Invalid("abandon-after", $"must be 0s or at least 3 × heartbeat-interval ({3 * heartbeat:g})");
        return new RetentionSettings
        {
            Interval = retention.NonNegativeDuration("interval"),
            MaxAge = retention.NonNegativeDuration("max-age"),
            MaxEvents = retention.NonNegative("max-events", retention.Long("max-events")),
            NodeName = nodeName,
            HeartbeatInterval = heartbeat,
            AbandonAfter = abandonAfter,
            OrphanSweepInterval = retention.NonNegativeDuration("orphan-sweep-interval"),
            OrphanGrace = retention.PositiveDuration("orphan-grace"),
            StoreTimeout = retention.PositiveDuration("store-timeout"),
        };
    }
}
