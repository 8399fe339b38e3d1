using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Registrator.Actors.Configuration;
using Registrator.Actors.Tasks;
using Registrator.Contracts;

namespace Registrator.Node;

/// <summary>
/// The task shard region (or its proxy) as Akka.Hosting starts it, registered under <see cref="TaskRegion"/> in the
/// actor registry: the node's HTTP API, NATS bridge and cameras find it there. Same region as
/// <see cref="TaskSharding.StartRegion"/> (which tests and benchmarks start on a bare actor system): type name, role,
/// shard count (the extractor), hand-off stop message; everything else from <c>akka.cluster.sharding</c>.
/// </summary>
public static class TaskRegionHosting
{
    /// <summary>
    /// Starts the <c>task</c> region once the earlier starters have run; <paramref name="dependencies"/> is called then,
    /// so it can read what they registered (encoders, event store).
    /// </summary>
    public static AkkaConfigurationBuilder WithTaskRegion(this AkkaConfigurationBuilder akka, RegistratorSettings settings,
        Func<ActorSystem, IActorRegistry, TaskDependencies> dependencies) =>
        akka.WithShardRegion<TaskRegion>(RegistratorCluster.TaskTypeName,
            (system, registry) =>
            {
                var resolved = dependencies(system, registry);
                return key => TaskSharding.EntityProps(key, settings, resolved);
            },
            TaskSharding.Extractor(settings.Sharding),
            Options(settings.Sharding));

    /// <summary>A proxy to the tasks hosted by nodes of <c>registrator.sharding.role</c>, for a node without that role.</summary>
    public static AkkaConfigurationBuilder WithTaskRegionProxy(this AkkaConfigurationBuilder akka, ShardingSettings sharding) =>
        akka.WithShardRegionProxy<TaskRegion>(RegistratorCluster.TaskTypeName, sharding.Role, TaskSharding.Extractor(sharding));

    /// <summary>
    /// Only what <see cref="TaskSharding.StartRegion"/> sets in code. StateStoreMode, RememberEntities and idle
    /// passivation stay unset: Akka.Hosting then reads them from <c>akka.cluster.sharding</c> (hocon/registrator.conf:
    /// ddata, off, off), as <c>ClusterShardingSettings.Create(system)</c> does; setting them here would silently
    /// override an operator's HOCON. The allocation strategy is Akka.Hosting's default, the one TaskSharding uses
    /// (<c>DefaultShardAllocationStrategy</c>, rebalancing on).
    /// </summary>
    internal static ShardOptions Options(ShardingSettings sharding) => new()
    {
        Role = sharding.Role,
        HandOffStopMessage = TaskSharding.HandOffStopMessage,
    };
}
