
namespace Registrator.Actors.Configuration;

/// <summary>
/// One entry of <c>registrator.trigger.overrides</c>: the trigger settings (and <c>media.fps</c>) that tasks whose key
/// matches one of <see cref="Keys"/> use instead of the node's. Keys left out keep the node's value. The first entry
/// that matches a key wins (<see cref="TaskSettings.ForKey"/>).
/// </summary>
public sealed record TaskOverride(IReadOnlyList<KeyPattern> Keys)
{
    public TriggerPolicy? Policy { get; init; }
    public int? WindowSize { get; init; }
    public double? Ratio { get; init; }
    public TimeSpan? Cooldown { get; init; }
    public double? MinScore { get; init; }
    public TimeSpan? PreRoll { get; init; }
    public TimeSpan? PostRoll { get; init; }
    public TimeSpan? MaxDuration { get; init; }
    public int? FramesPerSecond { get; init; }

    public bool Matches(string key)
    {
        foreach (var pattern in Keys)
        {
            if (pattern.Matches(key)) return true;
        }
        return false;
    }

    /// <summary>The patterns as configuration wrote them, comma-separated (for the snapshot).</summary>
    public string KeysText => string.Join(",", Keys.Select(k => k.Glob));

    /// <summary><paramref name="trigger"/> with this entry's values on top.</summary>
    public TriggerSettings Apply(TriggerSettings trigger) => trigger with
    {
        Policy = Policy ?? trigger.Policy,
        WindowSize = WindowSize ?? trigger.WindowSize,
        Ratio = Ratio ?? trigger.Ratio,
        Cooldown = Cooldown ?? trigger.Cooldown,
        MinScore = MinScore ?? trigger.MinScore,
        PreRoll = PreRoll ?? trigger.PreRoll,
        PostRoll = PostRoll ?? trigger.PostRoll,
        MaxDuration = MaxDuration ?? trigger.MaxDuration,
    };

    /// <summary>Reads <c>overrides</c> of <paramref name="trigger"/>, checking each entry against <paramref name="defaults"/>.</summary>
    public static IReadOnlyList<TaskOverride> ListFrom(SettingsReader trigger, TriggerSettings defaults) =>
        trigger.Entries("overrides").Select(entry =>
        {
            // Each key is optional here: one left out keeps the node's value.
            var entryOverride = new TaskOverride(PatternsOf(entry))
            {
                Policy = entry.Has("policy") ? TriggerSettings.ParsePolicy(entry) : null,
                WindowSize = entry.Has("window") ? entry.Int("window") : null,
                Ratio = entry.Has("ratio") ? entry.Double("ratio") : null,
                Cooldown = entry.Has("cooldown") ? entry.Duration("cooldown") : null,
                MinScore = entry.Has("min-score") ? entry.Double("min-score") : null,
                PreRoll = entry.Has("pre-roll") ? entry.Duration("pre-roll") : null,
                PostRoll = entry.Has("post-roll") ? entry.Duration("post-roll") : null,
                MaxDuration = entry.Has("max-duration") ? entry.Duration("max-duration") : null,
                FramesPerSecond = entry.Has("media.fps") ? entry.InRange("media.fps", entry.Int("media.fps"), 1, 1000) : null,
            };
            TriggerSettings.Validated(entryOverride.Apply(defaults), entry);
            return entryOverride;
        }).ToArray();

    private static KeyPattern[] PatternsOf(SettingsReader entry)
    {
        if (!entry.Has("keys")) throw entry.Fail("keys", "is required (a glob on task keys, e.g. \"gate-*\")");
        var globs = entry.StringOrList("keys") is { Count: > 0 } list && !list.Any(string.IsNullOrEmpty)
            ? list
            : throw entry.Invalid("keys", "must be a non-empty glob or list of globs");
        return [.. globs.Select(g => new KeyPattern(g))];
    }
}
