using Akka.Configuration;

namespace Registrator.Actors.Configuration;

/// <summary>Task sharding, from <c>registrator.sharding</c>.</summary>
public sealed record ShardingSettings
{
    public const string ConfigPath = "registrator.sharding";

    public required int NumberOfShards { get; init; }
    /// <summary>The role of the nodes that host task shards; a node without it builds its proxy for this role.</summary>
    public required string Role { get; init; }

    public static ShardingSettings From(Config sharding)
    {
        var read = SettingsReader.ForSection(sharding, ConfigPath);
        return new ShardingSettings { NumberOfShards = read.PositiveInt("number-of-shards"), Role = read.NonEmpty("role") };
    }
}
