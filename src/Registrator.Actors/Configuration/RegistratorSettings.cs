using Akka.Actor;
using Akka.Configuration;

namespace Registrator.Actors.Configuration;

/// <summary>The whole <c>registrator { }</c> section, parsed once at start-up into immutable records.</summary>
public sealed record RegistratorSettings(
    TaskSettings Task, ShardingSettings Sharding, MediaSettings Media, RedisSettings Redis, EventStoreSettings Events, NatsSettings Nats)
{
    /// <summary>Cameras the cluster reads, each on one node at a time (<c>registrator.cameras</c>, the same list on every node).</summary>
    public required IReadOnlyList<CameraSettings> Cameras { get; init; }

    /// <summary>How every camera is read (<c>registrator.camera-reader</c>), also each entry's <see cref="CameraSettings.Reader"/>.</summary>
    public required CameraReaderSettings CameraReader { get; init; }

    private static readonly Lazy<RegistratorSettings> Shipped = new(() => From(RegistratorConfig.Defaults));

    /// <summary>
    /// The settings hocon/registrator.conf gives, without environment or overrides: what a test starts from
    /// (<c>RegistratorSettings.Defaults.Task with { MaxFrames = 5 }</c>) instead of values of its own.
    /// </summary>
    public static RegistratorSettings Defaults => Shipped.Value;

    public static RegistratorSettings From(Config config)
    {
        var root = SettingsReader.Of(config, "registrator");
        var reader = CameraReaderSettings.From(root.Section("camera-reader"));
        return new RegistratorSettings(
            TaskSettings.From(root),
            ShardingSettings.From(config.GetConfig(ShardingSettings.ConfigPath)),
            MediaSettings.From(config.GetConfig(MediaSettings.ConfigPath)),
            RedisSettings.From(config.GetConfig(RedisSettings.ConfigPath)),
            EventStoreSettings.From(config.GetConfig(EventStoreSettings.ConfigPath)),
            NatsSettings.From(config.GetConfig(NatsSettings.ConfigPath)))
        {
            Cameras = CameraSettings.ListFrom(root, reader),
            CameraReader = reader,
        };
    }

    public static RegistratorSettings From(ActorSystem system) => From(system.Settings.Config);
}
