using Akka.Configuration;

namespace Registrator.Actors.Configuration;

/// <summary>How a task registers events by itself (<c>registrator.trigger.policy</c>).</summary>
public enum TriggerPolicy : byte
{
    /// <summary>The documentation's surveillance rule: every window statuses, enough detections register the cycle.</summary>
    Window,

    /// <summary>Only RegisterTask (or the NATS <c>register</c> command) registers.</summary>
    Manual,

    /// <summary>One event per incident: opened by the window rule, extended by detections, closed post-roll after the last.</summary>
    Span,
}

/// <summary>When a task registers an event by itself, from <c>registrator.trigger</c> (or an override of it).</summary>
public sealed record TriggerSettings
{
    public TriggerPolicy Policy { get; init; } = TriggerPolicy.Window;

    /// <summary>True for the <c>window</c> policy; setting it false means <c>manual</c> (the two policies there were first).</summary>
    public bool Window
    {
        get => Policy == TriggerPolicy.Window;
        init => Policy = value ? TriggerPolicy.Window : TriggerPolicy.Manual;
    }

    public bool Span => Policy == TriggerPolicy.Span;
    public int WindowSize { get; init; } = 30;
    public double Ratio { get; init; } = 0.3;
    public TimeSpan Cooldown { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The task's own detection threshold for inference results without <c>detected</c>; <c>null</c>: the bridge's
    /// flag (<c>registrator.nats.min-score</c>) stands.
    /// </summary>
    public double? MinScore { get; init; }

    /// <summary><c>span</c>: how much capture time before the opening detection the clip starts (GOP granularity).</summary>
    public TimeSpan PreRoll { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>span</c>: the incident closes this much capture time after its last detection.</summary>
    public TimeSpan PostRoll { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>span</c>: the longest incident; one still active then continues as a new incident.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(120);

    public static TriggerSettings From(Config trigger) => Validated(new TriggerSettings
    {
        Policy = ParsePolicy(trigger.GetString("policy"), "registrator.trigger.policy"),
        WindowSize = trigger.GetInt("window"),
        Ratio = trigger.GetDouble("ratio"),
        Cooldown = trigger.GetTimeSpan("cooldown"),
        PreRoll = trigger.GetTimeSpan("pre-roll", TimeSpan.FromSeconds(5)),
        PostRoll = trigger.GetTimeSpan("post-roll", TimeSpan.FromSeconds(5)),
        MaxDuration = trigger.GetTimeSpan("max-duration", TimeSpan.FromSeconds(120)),
    }, "registrator.trigger");

    public static TriggerPolicy ParsePolicy(string? policy, string path) => policy switch
    {
        "window" => TriggerPolicy.Window,
        "manual" => TriggerPolicy.Manual,
        "span" => TriggerPolicy.Span,
        _ => throw new ConfigurationException($"{path} must be 'window', 'manual' or 'span', got '{policy}'"),
    };

    /// <summary>The settings when they are consistent; otherwise a <see cref="ConfigurationException"/> naming <paramref name="path"/>.</summary>
    public static TriggerSettings Validated(TriggerSettings s, string path)
    {
        if (s.WindowSize <= 0) throw new ConfigurationException($"{path}.window must be positive, got {s.WindowSize}");
        if (s.Ratio is < 0 or >= 1) throw new ConfigurationException($"{path}.ratio must be in [0, 1), got {s.Ratio}");
        if (s.Cooldown < TimeSpan.Zero) throw new ConfigurationException($"{path}.cooldown must not be negative, got {s.Cooldown}");
        if (s.MinScore is { } score && !double.IsFinite(score)) throw new ConfigurationException($"{path}.min-score must be a number, got {score}");
        if (s.PreRoll < TimeSpan.Zero) throw new ConfigurationException($"{path}.pre-roll must not be negative, got {s.PreRoll}");
        if (s.PostRoll <= TimeSpan.Zero) throw new ConfigurationException($"{path}.post-roll must be positive, got {s.PostRoll}");
        if (s.MaxDuration <= TimeSpan.Zero) throw new ConfigurationException($"{path}.max-duration must be positive, got {s.MaxDuration}");
        return s;
    }

    /// <summary>The policy as configuration spells it.</summary>
    public string PolicyName => Policy switch
    {
        TriggerPolicy.Window => "window",
        TriggerPolicy.Manual => "manual",
        _ => "span",
    };
}
