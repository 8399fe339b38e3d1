using Akka.Actor;
using Akka.Configuration;

namespace Registrator.Actors.Configuration;

/// <summary>The whole <c>registrator { }</c> section, parsed once at start-up into immutable records.</summary>
public sealed record RegistratorSettings(TaskSettings Task, ShardingSettings Sharding, MediaSettings Media)
{
    public static RegistratorSettings From(Config config)
    {
        var root = config.GetConfig("registrator")
            ?? throw new ConfigurationException("missing the registrator { } section; start from RegistratorConfig.Load()");
        return new RegistratorSettings(
            TaskSettings.From(root.GetConfig("task")) with { Trigger = TriggerSettings.From(root.GetConfig("trigger")) },
            ShardingSettings.From(root.GetConfig("sharding")),
            MediaSettings.From(root.GetConfig("media")));
    }

    public static RegistratorSettings From(ActorSystem system) => From(system.Settings.Config);
}
