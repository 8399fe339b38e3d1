using Akka.Configuration;
using Akka.Configuration.Hocon;

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
    public static IReadOnlyList<TaskOverride> ListFrom(Config trigger, TriggerSettings defaults)
    {
        if (!trigger.HasPath("overrides")) return [];
        return trigger.GetValue("overrides").GetArray().Select((value, index) =>
        {
            var path = $"registrator.trigger.overrides[{index}]";
            var entry = new Config(new HoconRoot(value));
            var entryOverride = new TaskOverride(PatternsOf(entry, path))
            {
                Policy = entry.HasPath("policy") ? TriggerSettings.ParsePolicy(entry.GetString("policy"), path + ".policy") : null,
                WindowSize = entry.HasPath("window") ? entry.GetInt("window") : null,
                Ratio = entry.HasPath("ratio") ? entry.GetDouble("ratio") : null,
                Cooldown = entry.HasPath("cooldown") ? entry.GetTimeSpan("cooldown") : null,
                MinScore = entry.HasPath("min-score") ? entry.GetDouble("min-score") : null,
                PreRoll = entry.HasPath("pre-roll") ? entry.GetTimeSpan("pre-roll") : null,
                PostRoll = entry.HasPath("post-roll") ? entry.GetTimeSpan("post-roll") : null,
                MaxDuration = entry.HasPath("max-duration") ? entry.GetTimeSpan("max-duration") : null,
                FramesPerSecond = entry.HasPath("media.fps") ? entry.GetInt("media.fps") : null,
            };
            TriggerSettings.Validated(entryOverride.Apply(defaults), path);
            if (entryOverride.FramesPerSecond is { } fps and (< 1 or > 1000))
                throw new ConfigurationException($"{path}.media.fps must be 1..1000, got {fps}");
            return entryOverride;
        }).ToArray();
    }

    private static KeyPattern[] PatternsOf(Config entry, string path)
    {
        if (!entry.HasPath("keys")) throw new ConfigurationException($"{path} needs keys (a glob on task keys, e.g. \"gate-*\")");
        var value = entry.GetValue("keys");
        var globs = value.IsArray() ? value.GetArray().Select(v => v.GetString()).ToArray() : [value.GetString()];
        if (globs.Length == 0 || globs.Any(string.IsNullOrEmpty))
            throw new ConfigurationException($"{path}.keys must be a non-empty glob or list of globs");
        return [.. globs.Select(g => new KeyPattern(g))];
    }
}
