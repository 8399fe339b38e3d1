using Akka.Configuration;

namespace Registrator.Actors.Configuration;

/// <summary>When a task registers an event by itself, from <c>registrator.trigger</c>.</summary>
public sealed record TriggerSettings
{
    /// <summary><c>window</c>: the documentation's surveillance rule; <c>manual</c>: only RegisterTask registers.</summary>
    public bool Window { get; init; } = true;
    public int WindowSize { get; init; } = 30;
    public double Ratio { get; init; } = 0.3;
    public TimeSpan Cooldown { get; init; } = TimeSpan.Zero;

    public static TriggerSettings From(Config trigger)
    {
        var policy = trigger.GetString("policy");
        var window = policy switch
        {
            "window" => true,
            "manual" => false,
            _ => throw new ConfigurationException($"registrator.trigger.policy must be 'window' or 'manual', got '{policy}'"),
        };
        var size = trigger.GetInt("window");
        var ratio = trigger.GetDouble("ratio");
        if (size <= 0) throw new ConfigurationException($"registrator.trigger.window must be positive, got {size}");
        if (ratio is < 0 or >= 1) throw new ConfigurationException($"registrator.trigger.ratio must be in [0, 1), got {ratio}");
        return new TriggerSettings { Window = window, WindowSize = size, Ratio = ratio, Cooldown = trigger.GetTimeSpan("cooldown") };
    }
}
