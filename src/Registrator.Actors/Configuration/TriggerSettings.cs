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
    public required TriggerPolicy Policy { get; init; }

    /// <summary>True for the <c>window</c> policy; setting it false means <c>manual</c> (the two policies there were first).</summary>
    public bool Window
    {
        get => Policy == TriggerPolicy.Window;
        init => Policy = value ? TriggerPolicy.Window : TriggerPolicy.Manual;
    }

    public bool Span => Policy == TriggerPolicy.Span;
    public required int WindowSize { get; init; }
    public required double Ratio { get; init; }
    public required TimeSpan Cooldown { get; init; }

    /// <summary>
    /// The task's own detection threshold for inference results without <c>detected</c>; <c>null</c>: the bridge's
    /// flag (<c>registrator.nats.min-score</c>) stands.
    /// </summary>
    public double? MinScore { get; init; }

    /// <summary><c>span</c>: how much capture time before the opening detection the clip starts (GOP granularity).</summary>
    public required TimeSpan PreRoll { get; init; }

    /// <summary><c>span</c>: the incident closes this much capture time after its last detection.</summary>
    public required TimeSpan PostRoll { get; init; }

    /// <summary><c>span</c>: the longest incident; one still active then continues as a new incident.</summary>
    public required TimeSpan MaxDuration { get; init; }

    /// <summary>
    /// The node's trigger, from <c>registrator.trigger</c>. Every rule is checked in <see cref="Validated"/>, so an
    /// override entry (<see cref="TaskOverride"/>) is held to the same rules with its own path in the message.
    /// </summary>
    public static TriggerSettings From(SettingsReader trigger) => Validated(new TriggerSettings
    {
        Policy = ParsePolicy(trigger),
        WindowSize = trigger.Int("window"),
        Ratio = trigger.Double("ratio"),
        Cooldown = trigger.Duration("cooldown"),
        PreRoll = trigger.Duration("pre-roll"),
        PostRoll = trigger.Duration("post-roll"),
        MaxDuration = trigger.Duration("max-duration"),
    }, trigger);

    /// <summary><c>policy</c> of <paramref name="section"/> (the trigger, or an override entry).</summary>
    public static TriggerPolicy ParsePolicy(SettingsReader section) =>
        section.OneOf("policy", ("window", TriggerPolicy.Window), ("manual", TriggerPolicy.Manual), ("span", TriggerPolicy.Span));

    /// <summary>The settings when they are consistent; otherwise a <see cref="ConfigurationException"/> naming the key under <paramref name="section"/>.</summary>
    public static TriggerSettings Validated(TriggerSettings s, SettingsReader section)
    {
        section.Positive("window", s.WindowSize);
        if (s.Ratio is < 0 or >= 1) throw section.Invalid("ratio", "must be in [0, 1)");
        section.NonNegative("cooldown", s.Cooldown);
        if (s.MinScore is { } score && !double.IsFinite(score)) throw section.Invalid("min-score", "must be a number");
        section.NonNegative("pre-roll", s.PreRoll);
        section.Positive("post-roll", s.PostRoll);
        section.Positive("max-duration", s.MaxDuration);
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
