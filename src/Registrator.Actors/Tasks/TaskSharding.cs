using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Actors.Configuration;
using Registrator.Contracts;

namespace Registrator.Actors.Tasks;

/// <summary>
/// Starts the <c>task</c> shard region on a node of role <c>registrator</c>. The node's host and the tests
/// both start tasks through this one method, so tests run the configuration the product runs.
/// </summary>
public static class TaskSharding
{
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
            entityId => TaskActor.Props(entityId, settings.Task, dependencies),
            shardingSettings,
            new TaskMessageExtractor(settings.Sharding.NumberOfShards),
            sharding.DefaultShardAllocationStrategy(shardingSettings),
            handOffStopMessage: TaskActor.Stop.Instance);
    }
}
