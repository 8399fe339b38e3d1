using System.Collections;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Actors.Tasks;
using Registrator.Contracts;

namespace Registrator.Benchmarks;

/// <summary>Loopback cluster pieces for benchmarks: a registrator node and a client system joined to it.</summary>
internal static class BenchCluster
{
    /// <summary>A node joined to itself; the environment variable BENCH_HOCON adds HOCON over everything (experiments).</summary>
    public static ActorSystem StartNode(string hocon = "")
    {
        var config = RegistratorConfig.Load($$"""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            registrator.trigger.policy = manual
            {{hocon}}
            {{Environment.GetEnvironmentVariable("BENCH_HOCON")}}
            """, new Hashtable());
        var system = ActorSystem.Create("registrator", config);
        var cluster = Cluster.Get(system);
        cluster.Join(cluster.SelfAddress);
        WaitUp(system);
        return system;
    }

    /// <summary>A second registrator node (own port, its own <paramref name="hocon"/>) joined to <paramref name="seed"/>'s cluster.</summary>
    public static ActorSystem JoinNode(ActorSystem seed, string hocon = "")
    {
        var config = RegistratorConfig.Load($$"""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            registrator.trigger.policy = manual
            {{hocon}}
            """, new Hashtable());
        var system = ActorSystem.Create("registrator", config);
        // Sharding brings the distributed-data serializers: joined without them, the seed's replicator messages fail to read.
        ClusterSharding.Get(system);
        Cluster.Get(system).Join(Cluster.Get(seed).SelfAddress);
        WaitUp(system);
        return system;
    }

    public static ActorSystem StartClient(ActorSystem node) => StartClient(Cluster.Get(node).SelfAddress);

    /// <summary>A client system joined to the cluster of the node at <paramref name="seed"/> (in this process or another).</summary>
    public static ActorSystem StartClient(Address seed)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.seed-nodes = ["{{seed}}"]
            """).WithFallback(RegistratorCluster.ClientConfig);
        var client = ActorSystem.Create("registrator", config);
        WaitUp(client);
        return client;
    }

    public static IActorRef StartRegion(ActorSystem node, IActorRef encoder, IActorRef eventStore, TaskHandoff? handoff = null)
    {
        var settings = RegistratorSettings.From(node);
        return TaskSharding.StartRegion(node, settings, new TaskDependencies(new FrameMemoryBudget(settings.Task.MaxBufferBytes), encoder, eventStore, handoff));
    }

    private static void WaitUp(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (cluster.SelfMember.Status != MemberStatus.Up)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{cluster.SelfAddress} did not become Up");
            Thread.Sleep(50);
        }
    }
}
