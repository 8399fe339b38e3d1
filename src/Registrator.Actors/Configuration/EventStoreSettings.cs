using Akka.Configuration;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Redis;

namespace Registrator.Actors.Configuration;

/// <summary>
/// How the <see cref="EventStoreActor"/> records events, from <c>registrator.events</c> (keys documented in
/// hocon/registrator.conf). Immutable; parsed once at start-up.
/// </summary>
public sealed record EventStoreSettings
{
    public const string ConfigPath = "registrator.events";

    public required EventStoreKind Store { get; init; }
    public required RedisKeys Keys { get; init; }
    /// <summary>Folder of the outbox file; <c>null</c> = a data directory (see <see cref="OutboxLocation"/>).</summary>
    public required string? OutboxPath { get; init; }
    /// <summary>Undelivered events held in memory; the rest wait in the outbox file.</summary>
    public required int MaxQueued { get; init; }
    public required TimeSpan MinBackoff { get; init; }
    public required TimeSpan MaxBackoff { get; init; }
    /// <summary>Each back-off delay is stretched by a random fraction up to this (0.2 = up to 20 % longer).</summary>
    public required double RandomFactor { get; init; }
    /// <summary>While Redis stays unreachable, at most one warning per this interval.</summary>
    public required TimeSpan UnreachableLogInterval { get; init; }
    public required RetentionSettings Retention { get; init; }
    /// <summary>Writes of one event that Redis refuses for good (<see cref="Redis.RedisErrors"/>) before it goes to the dead letters.</summary>
    public required int PoisonAttempts { get; init; }
    /// <summary>Done lines in the outbox file after which it is compacted, however busy the queue.</summary>
    public required int CompactAfter { get; init; }

    /// <summary>The sink name of <see cref="Store"/>, as the outbox records it.</summary>
    public string StoreName => Store == EventStoreKind.List ? ListEventSink.SinkName : SortedSetEventSink.SinkName;

    /// <summary>The outbox folder for a node whose clips go to <paramref name="outputPath"/> (TMP_PATH).</summary>
    public string OutboxDirectory(string outputPath) => ResolveOutbox(outputPath).Directory;

    /// <summary>The outbox folder, and a warning when the default data directory could not be used (<see cref="OutboxLocation"/>).</summary>
    public (string Directory, string? Warning) ResolveOutbox(string outputPath) => OutboxLocation.Resolve(OutboxPath, Path.GetFullPath(outputPath));

    /// <summary>Parses the <c>registrator.events</c> section (<c>config.GetConfig("registrator.events")</c>).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static EventStoreSettings From(Config? events)
    {
        var read = SettingsReader.ForSection(events, ConfigPath);
        var keys = new RedisKeys
        {
            SortedSet = read.NonEmpty("sorted-set-key"),
            ListPrefix = read.NonEmpty("list-key-prefix"),
            ListIdsPrefix = read.NonEmpty("list-ids-key-prefix"),
        };
        if (keys.ListPrefix == keys.ListIdsPrefix) throw read.Invalid("list-ids-key-prefix", "must differ from list-key-prefix");
        var minBackoff = read.PositiveDuration("min-backoff");
        var maxBackoff = read.Duration("max-backoff");
        if (maxBackoff < minBackoff) throw read.Invalid("max-backoff", "must not be below min-backoff");
        var randomFactor = read.Double("random-factor");
        return new EventStoreSettings
        {
            Store = read.OneOf("store", ("sorted-set", EventStoreKind.SortedSet), ("list", EventStoreKind.List)),
            Keys = keys,
            OutboxPath = read.Optional("outbox-path"),
            MaxQueued = read.PositiveInt("max-queued"),
            MinBackoff = minBackoff,
            MaxBackoff = maxBackoff,
            RandomFactor = randomFactor is >= 0 and <= 1 ? randomFactor : throw read.Invalid("random-factor", "must be in [0, 1]"),
            UnreachableLogInterval = read.NonNegativeDuration("unreachable-log-interval"),
            Retention = RetentionSettings.From(read.Section("retention")),
            PoisonAttempts = read.PositiveInt("poison-attempts"),
            CompactAfter = read.PositiveInt("compact-after"),
        };
    }
}
