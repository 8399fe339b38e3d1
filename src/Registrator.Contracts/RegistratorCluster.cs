using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Registrator.Contracts;

/// <summary>
/// Names other systems depend on, and the helper a client Akka system uses to reach tasks: it joins the
/// cluster (any role but <see cref="Role"/>) and sends <see cref="ITaskMessage"/>s to the proxy this returns.
/// </summary>
public static class RegistratorCluster
{
    /// <summary>The shard type name of task entities.</summary>
    public const string TaskTypeName = "task";

    /// <summary>The cluster role of nodes that host task shards.</summary>
    public const string Role = "registrator";

    /// <summary>
    /// HOCON a client system must include (it binds <see cref="Serialization.RegistratorSerializer"/> to the protocol):
    /// <c>ActorSystem.Create("registrator", yourConfig.WithFallback(RegistratorCluster.ClientConfig))</c>.
    /// The system name must be the cluster's (<c>registrator</c>).
    /// </summary>
    public static Akka.Configuration.Config ClientConfig =>
        Akka.Configuration.ConfigurationFactory.ParseString(Serialization.RegistratorSerializer.Hocon + """

            akka.actor.provider = cluster
            akka.cluster.roles = ["client"]
            # Raw frames are ~1 MB; remoting's default 128 kB frame limit would drop them.
            akka.remote.dot-netty.tcp {
              maximum-frame-size = 16MiB
              send-buffer-size = 32MiB
              receive-buffer-size = 32MiB
            }
            """);

    /// <summary>
    /// Starts a shard-region proxy for tasks on <paramref name="system"/> (which must be a cluster member,
    /// not hosting shards). Messages sent to it reach the task entity of their key wherever it lives.
    /// </summary>
    /// <remarks>
    /// For client systems outside a node's host. A node without the task role starts the same proxy through
    /// Akka.Hosting (<c>WithShardRegionProxy</c>, Registrator.Node's TaskRegionHosting) and finds it in its actor registry.
    /// </remarks>
    /// <param name="numberOfShards">The cluster's <c>registrator.sharding.number-of-shards</c>.</param>
    /// <param name="role">The cluster's <c>registrator.sharding.role</c>: the role of the nodes that host tasks.</param>
    public static IActorRef StartTaskProxy(ActorSystem system, int numberOfShards = TaskMessageExtractor.DefaultNumberOfShards, string role = Role)
        => ClusterSharding.Get(system).StartProxy(TaskTypeName, role, new TaskMessageExtractor(numberOfShards));
}
