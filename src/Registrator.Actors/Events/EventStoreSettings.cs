using Akka.Configuration;
using Registrator.Actors.Redis;

namespace Registrator.Actors.Events;

/// <summary>
/// How the <see cref="EventStoreActor"/> records events, from <c>registrator.events</c> (keys documented in
/// hocon/registrator.conf). Immutable; parsed once at start-up.
/// </summary>
public sealed record EventStoreSettings
{
    public EventStoreKind Store { get; init; } = EventStoreKind.SortedSet;
    public RedisKeys Keys { get; init; } = new();
    /// <summary>Folder of the outbox file; <c>null</c> = a data directory (see <see cref="OutboxLocation"/>).</summary>
    public string? OutboxPath { get; init; }
    /// <summary>Undelivered events held in memory; the rest wait in the outbox file.</summary>
    public int MaxQueued { get; init; } = 10_000;
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Each back-off delay is stretched by a random fraction up to this (0.2 = up to 20 % longer).</summary>
    public double RandomFactor { get; init; } = 0.2;
    /// <summary>While Redis stays unreachable, at most one warning per this interval.</summary>
    public TimeSpan UnreachableLogInterval { get; init; } = TimeSpan.FromMinutes(1);
    public RetentionSettings Retention { get; init; } = new();
    /// <summary>Writes of one event that Redis refuses for good (<see cref="Redis.RedisErrors"/>) before it goes to the dead letters.</summary>
    public int PoisonAttempts { get; init; } = 5;
    /// <summary>Done lines in the outbox file after which it is compacted, however busy the queue.</summary>
    public int CompactAfter { get; init; } = 10_000;

    /// <summary>The sink name of <see cref="Store"/>, as the outbox records it.</summary>
    public string StoreName => Store == EventStoreKind.List ? ListEventSink.SinkName : SortedSetEventSink.SinkName;

    /// <summary>The outbox folder for a node whose clips go to <paramref name="outputPath"/> (TMP_PATH).</summary>
    public string OutboxDirectory(string outputPath) => ResolveOutbox(outputPath).Directory;

    /// <summary>The outbox folder, and a warning when the default data directory could not be used (<see cref="OutboxLocation"/>).</summary>
    public (string Directory, string? Warning) ResolveOutbox(string outputPath) => OutboxLocation.Resolve(OutboxPath, Path.GetFullPath(outputPath));

    /// <summary>Parses the <c>registrator.events</c> section; a missing section or key takes the documented default.</summary>
    /// <exception cref="ConfigurationException">A value is out of range; the message names the key.</exception>
    public static EventStoreSettings From(Config? events)
    {
        var defaults = new EventStoreSettings();
        if (events is null || events.IsEmpty) return defaults;
        var store = events.GetString("store", "sorted-set") switch
        {
            "sorted-set" => EventStoreKind.SortedSet,
            "list" => EventStoreKind.List,
            var other => throw new ConfigurationException($"registrator.events.store must be 'sorted-set' or 'list', got '{other}'"),
        };
        var keys = new RedisKeys
        {
            SortedSet = NotEmpty(events.GetString("sorted-set-key", RedisKeys.DefaultSortedSet), "sorted-set-key"),
            ListPrefix = NotEmpty(events.GetString("list-key-prefix", RedisKeys.DefaultListPrefix), "list-key-prefix"),
            ListIdsPrefix = NotEmpty(events.GetString("list-ids-key-prefix", RedisKeys.DefaultListIdsPrefix), "list-ids-key-prefix"),
        };
        if (keys.ListPrefix == keys.ListIdsPrefix)
            throw new ConfigurationException("registrator.events.list-key-prefix and list-ids-key-prefix must differ");
        var settings = new EventStoreSettings
        {
            Store = store,
            Keys = keys,
            OutboxPath = events.GetString("outbox-path", "") is { Length: > 0 } outbox ? outbox : null,
            MaxQueued = events.GetInt("max-queued", defaults.MaxQueued),
            MinBackoff = events.GetTimeSpan("min-backoff", defaults.MinBackoff),
            MaxBackoff = events.GetTimeSpan("max-backoff", defaults.MaxBackoff),
            RandomFactor = events.GetDouble("random-factor", defaults.RandomFactor),
            UnreachableLogInterval = events.GetTimeSpan("unreachable-log-interval", defaults.UnreachableLogInterval),
            Retention = RetentionSettings.From(events.GetConfig("retention")),
            PoisonAttempts = events.GetInt("poison-attempts", defaults.PoisonAttempts),
            CompactAfter = events.GetInt("compact-after", defaults.CompactAfter),
        };
        if (settings.PoisonAttempts <= 0) throw new ConfigurationException($"registrator.events.poison-attempts must be positive, got {settings.PoisonAttempts}");
        if (settings.CompactAfter <= 0) throw new ConfigurationException($"registrator.events.compact-after must be positive, got {settings.CompactAfter}");
        if (settings.MaxQueued <= 0) throw new ConfigurationException($"registrator.events.max-queued must be positive, got {settings.MaxQueued}");
        if (settings.MinBackoff <= TimeSpan.Zero) throw new ConfigurationException($"registrator.events.min-backoff must be positive, got {settings.MinBackoff}");
        if (settings.MaxBackoff < settings.MinBackoff) throw new ConfigurationException("registrator.events.max-backoff must not be below min-backoff");
        if (settings.RandomFactor is < 0 or > 1) throw new ConfigurationException($"registrator.events.random-factor must be in [0, 1], got {settings.RandomFactor}");
        if (settings.UnreachableLogInterval < TimeSpan.Zero) throw new ConfigurationException("registrator.events.unreachable-log-interval must not be negative");
        return settings;
    }

    private static string NotEmpty(string value, string key) =>
        string.IsNullOrEmpty(value) ? throw new ConfigurationException($"registrator.events.{key} must not be empty") : value;
}
