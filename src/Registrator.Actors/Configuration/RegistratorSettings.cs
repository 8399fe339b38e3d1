using Akka.Actor;
using Akka.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.Nats;
using Registrator.Actors.Redis;

namespace Registrator.Actors.Configuration;

/// <summary>The whole <c>registrator { }</c> section, parsed once at start-up into immutable records.</summary>
public sealed record RegistratorSettings(
    TaskSettings Task, ShardingSettings Sharding, MediaSettings Media, RedisSettings Redis, EventStoreSettings Events, NatsSettings Nats)
{
    /// <summary>Cameras the cluster reads, each on one node at a time (<c>registrator.cameras</c>, the same list on every node).</summary>
    public IReadOnlyList<Registrator.Actors.Cameras.CameraSettings> Cameras { get; init; } = [];

    public static RegistratorSettings From(Config config)
    {
        var root = config.GetConfig("registrator")
            ?? throw new ConfigurationException("missing the registrator { } section; start from RegistratorConfig.Load()");
        var media = MediaSettings.From(root.GetConfig("media"));
        var trigger = TriggerSettings.From(root.GetConfig("trigger"));
        return new RegistratorSettings(
            TaskSettings.From(root.GetConfig("task")) with
            {
                Trigger = trigger,
                Overrides = TaskOverride.ListFrom(root.GetConfig("trigger"), trigger),
                FramesPerSecond = media.Encoder.FramesPerSecond,
            },
            ShardingSettings.From(root.GetConfig("sharding")),
            media,
            RedisSettings.From(root.GetConfig("redis")),
            EventStoreSettings.From(root.GetConfig("events")),
            NatsSettings.From(root.GetConfig("nats")))
        {
            Cameras = Registrator.Actors.Cameras.CameraSettings.ListFrom(root),
        };
    }

    public static RegistratorSettings From(ActorSystem system) => From(system.Settings.Config);
}
