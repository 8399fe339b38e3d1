using Akka.Configuration;

namespace Registrator.Actors.Configuration;

/// <summary>
/// How long sharding and CoordinatedShutdown wait for a moving task, derived from <c>registrator.task.registration-timeout</c>.
/// A task asked to hand off first finishes its registrations (each bounded by registration-timeout), then writes its
/// state to Redis (bounded by <c>registrator.redis.command-timeout</c>). Akka's own defaults are shorter: sharding stops
/// entities that have not stopped after <c>handoff-timeout</c> minus 5 s (60 s by default), and CoordinatedShutdown gives
/// the region 10 s. Either would kill a task in the middle of a registration or of its save, and its state would be
/// lost. So, unless the configuration sets them itself:
/// <code>
/// akka.cluster.sharding.handoff-timeout                             = registration-timeout + command-timeout + Margin
/// akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region = handoff-timeout + Margin
/// </code>
/// These are upper bounds: a node stops as soon as its tasks have handed off (with idle encoders, well under a second
/// per task); only a registration stuck on its encoder holds a SIGTERM for the whole bound.
/// </summary>
public static class HandoffTimeouts
{
    public const string HandoffTimeoutPath = "akka.cluster.sharding.handoff-timeout";
    public const string ShutdownRegionTimeoutPath = "akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout";

    /// <summary>Room for sharding's own messages around the task's work (HandOffStopper stops entities 5 s early).</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    /// <summary>The shard hand-off bound for <paramref name="registrationTimeout"/> and Redis' <paramref name="commandTimeout"/>.</summary>
    public static TimeSpan Handoff(TimeSpan registrationTimeout, TimeSpan commandTimeout) => registrationTimeout + commandTimeout + Margin;

    /// <summary>The CoordinatedShutdown bound of the region's phase: every shard's hand-off, with room to spare.</summary>
    public static TimeSpan ShutdownRegion(TimeSpan handoff) => handoff + Margin;

    /// <summary>
    /// <paramref name="config"/> with the two timeouts filled in where it does not set them; a value the configuration
    /// gives (an override file, tests) is kept as it is.
    /// </summary>
    public static Config Apply(Config config)
    {
        var registration = SettingsReader.Of(config, "registrator.task").PositiveDuration("registration-timeout");
        var command = SettingsReader.Of(config, RedisSettings.ConfigPath).PositiveDuration("command-timeout");
        var handoff = config.HasPath(HandoffTimeoutPath) ? config.GetTimeSpan(HandoffTimeoutPath) : Handoff(registration, command);
        var lines = new List<string>();
        if (!config.HasPath(HandoffTimeoutPath)) lines.Add($"{HandoffTimeoutPath} = {Seconds(handoff)}");
        if (!config.HasPath(ShutdownRegionTimeoutPath)) lines.Add($"{ShutdownRegionTimeoutPath} = {Seconds(ShutdownRegion(handoff))}");
        return lines.Count == 0 ? config : config.WithFallback(ConfigurationFactory.ParseString(string.Join('\n', lines)));
    }

    private static string Seconds(TimeSpan value) => $"{Math.Ceiling(value.TotalSeconds):0}s";
}
