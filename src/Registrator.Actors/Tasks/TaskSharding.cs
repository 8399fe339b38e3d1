using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Actors.Configuration;
using Registrator.Contracts;

namespace Registrator.Actors.Tasks;

/// <summary>
/// What makes the <c>task</c> shard region, in one place: its entities, its extractor and its hand-off stop message.
/// The node's host starts it through Akka.Hosting (<c>TaskRegionHosting</c>), tests and benchmarks on a bare actor
/// system through <see cref="StartRegion"/>; both read these, so tests run the region the product runs.
/// </summary>
public static class TaskSharding
{
    /// <summary>The task stops itself after handing its state to Redis; a PoisonPill (the default) would lose it.</summary>
    public static object HandOffStopMessage => TaskActor.Stop.Instance;

    /// <summary>Routes by task key over <c>registrator.sharding.number-of-shards</c> shards.</summary>
    public static IMessageExtractor Extractor(ShardingSettings sharding) => new TaskMessageExtractor(sharding.NumberOfShards);

    /// <summary>The entity of <paramref name="key"/>.</summary>
    public static Props EntityProps(string key, RegistratorSettings settings, TaskDependencies dependencies) =>
        TaskActor.Props(key, settings.Task, dependencies);

    /// <param name="typeName">The shard type name; tests pass a fresh one to stay isolated.</param>
    public static IActorRef StartRegion(
        ActorSystem system,
        RegistratorSettings settings,
        TaskDependencies dependencies,
        string typeName = RegistratorCluster.TaskTypeName)
    {
        var sharding = ClusterSharding.Get(system); // first: it loads the sharding defaults the settings read
        var shardingSettings = ClusterShardingSettings.Create(system).WithRole(settings.Sharding.Role);
        return sharding.Start(
            typeName,
            entityId => EntityProps(entityId, settings, dependencies),
            shardingSettings,
            Extractor(settings.Sharding),
            sharding.DefaultShardAllocationStrategy(shardingSettings),
            HandOffStopMessage);
    }
}
