using Akka.Cluster.Sharding;

namespace Registrator.Contracts;

/// <summary>
/// Routes <see cref="ITaskMessage"/>s to shards and entities. Nodes and clients must use the same shard count:
/// the shard of a key is a stable hash (MurmurHash of the key), identical in every process.
/// </summary>
public sealed class TaskMessageExtractor(int maxNumberOfShards) : HashCodeMessageExtractor(maxNumberOfShards)
{
    /// <summary>The shard count nodes use unless <c>registrator.sharding.number-of-shards</c> says otherwise.</summary>
    public const int DefaultNumberOfShards = 100;

    /// <inheritdoc />
    /// <remarks>ShardingEnvelope and StartEntity are unwrapped by the base class before this is called.</remarks>
    public override string? EntityId(object message) => (message as ITaskMessage)?.TaskKey;
}
