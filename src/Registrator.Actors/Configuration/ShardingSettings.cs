using Akka.Configuration;

namespace Registrator.Actors.Configuration;

/// <summary>Task sharding, from <c>registrator.sharding</c>.</summary>
public sealed record ShardingSettings
{
    public int NumberOfShards { get; init; } = 100;
    public string Role { get; init; } = "registrator";

    public static ShardingSettings From(Config sharding)
    {
        var shards = sharding.GetInt("number-of-shards");
        if (shards <= 0) throw new ConfigurationException($"registrator.sharding.number-of-shards must be positive, got {shards}");
        return new ShardingSettings { NumberOfShards = shards, Role = sharding.GetString("role") };
    }
}
