using System.Collections;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.MultiNode;

/// <summary>
/// Three registrator nodes in this process on loopback ports (the TestKit's system is the first), each with its own
/// real encoder pool, joined into one cluster. Messages between them go through remoting and our serializer.
/// </summary>
public sealed class ThreeNodeClusterSpec : TestKit, IDisposable
{
    private const string NodeHocon = """
        akka.loglevel = INFO
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster.roles = ["registrator"]
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.gossip-interval = 200ms
        akka.cluster.sharding.retry-interval = 200ms
        akka.test.single-expect-default = 20s
        registrator.trigger.policy = manual
        registrator.media.pool-size = 1
        # Terminating a system is then a crash, not a graceful leave; tests that leave say so explicitly.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """;

    private readonly string _output;
    private readonly List<ActorSystem> _nodes = [];
    private readonly List<IActorRef> _regions = [];

    public ThreeNodeClusterSpec(ITestOutputHelper output)
        : base(NodeConfig(Directory.CreateTempSubdirectory("registrator-cluster-").FullName), "registrator", output)
    {
        _output = Sys.Settings.Config.GetString("registrator.media.output-path");
        _nodes.Add(Sys);
        _nodes.Add(ActorSystem.Create("registrator", NodeConfig(_output)));
        _nodes.Add(ActorSystem.Create("registrator", NodeConfig(_output)));
        var seed = Akka.Cluster.Cluster.Get(Sys).SelfAddress;
        foreach (var node in _nodes) Akka.Cluster.Cluster.Get(node).Join(seed);
        AwaitAssert(() => Assert.All(_nodes, node =>
            Assert.Equal(3, Akka.Cluster.Cluster.Get(node).State.Members.Count(m => m.Status == MemberStatus.Up))),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        foreach (var node in _nodes)
        {
            var settings = RegistratorSettings.From(node);
            var encoders = EncoderPool.Start(node, settings.Media);
            _regions.Add(TaskSharding.StartRegion(node, settings,
                new TaskDependencies(new FrameMemoryBudget(settings.Task.MaxBufferBytes), encoders, ActorRefs.Nobody)));
        }
    }

    private static Config NodeConfig(string output) =>
        RegistratorConfig.Load(NodeHocon + $"\nregistrator.media.output-path = \"{output}\"", new Hashtable());

    [Fact]
    public void Tasks_spread_over_the_three_nodes()
    {
        var keys = Enumerable.Range(0, 60).Select(i => $"camera-{i}").ToArray();
        foreach (var key in keys) Ask<Accepted>(_regions[0], new AddStatus(key, true));

        var hosted = _regions.Select(EntitiesOf).ToArray();
        Assert.All(hosted, entities => Assert.NotEmpty(entities));
        Assert.Equal(keys.Order(), hosted.SelectMany(e => e).Order());

        // Any node reaches any task, wherever it lives (the asker lives on the third node too).
        var third = CreateTestProbe(_nodes[2]);
        foreach (var key in keys.Take(10))
        {
            _regions[2].Tell(new TaskQueries.GetTask(key), third.Ref);
            Assert.Equal([true], third.ExpectMsg<TaskSnapshot>().Statuses.ToArray());
        }
    }

    [Fact]
    public void Registrations_on_a_node_that_leaves_gracefully_all_complete()
    {
        var leaving = _nodes[2];
        var keys = KeysHostedOn(2, 4);
        foreach (var key in keys)
        {
            for (var i = 0; i < 60; i++) Ask<Accepted>(_regions[0], Frame(key, i));
        }
        foreach (var key in keys) _regions[0].Tell(new RegisterTask(key, """{"model":"yolo"}"""), TestActor);
        Akka.Cluster.Cluster.Get(leaving).Leave(Akka.Cluster.Cluster.Get(leaving).SelfAddress);

        var registered = keys.Select(_ => ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(60))).ToArray();
        Assert.Equal(keys.Order(), registered.Select(r => r.TaskKey).Order());
        Assert.All(registered, r =>
        {
            Assert.Null(r.Error);
            Assert.True(File.Exists(r.VideoPath) && File.Exists(r.ImagePath), $"files of {r.TaskKey}");
        });
        AwaitAssert(() => Assert.Equal(2, Akka.Cluster.Cluster.Get(Sys).State.Members.Count(m => m.Status == MemberStatus.Up)),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Tasks_of_a_node_that_dies_come_back_fresh_and_other_tasks_are_untouched()
    {
        var lostKeys = KeysHostedOn(2, 3);
        var keptKeys = KeysHostedOn(1, 3);
        foreach (var key in lostKeys.Concat(keptKeys))
        {
            Ask<Accepted>(_regions[0], new AddStatus(key, true));
            Ask<Accepted>(_regions[0], new AddStatus(key, false));
        }

        var dying = _nodes[2];
        var address = Akka.Cluster.Cluster.Get(dying).SelfAddress;
        // Terminated without leaving (no coordinated shutdown): the others just stop hearing from it.
        await dying.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        Akka.Cluster.Cluster.Get(Sys).Down(address);
        AwaitAssert(() => Assert.DoesNotContain(Akka.Cluster.Cluster.Get(Sys).State.Members, m => m.Address == address),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));

        foreach (var key in lostKeys)
        {
            var fresh = Ask<TaskSnapshot>(_regions[0], new TaskQueries.GetTask(key), TimeSpan.FromSeconds(30));
            Assert.Equal(TaskState.None, fresh.State);
            Assert.Empty(fresh.Statuses);
        }
        foreach (var key in keptKeys)
            Assert.Equal([true, false], Ask<TaskSnapshot>(_regions[0], new TaskQueries.GetTask(key)).Statuses.ToArray());
        var survivors = EntitiesOf(_regions[0]).Concat(EntitiesOf(_regions[1])).ToArray();
        Assert.All(lostKeys, key => Assert.Contains(key, survivors));
    }

    private static AddFrame Frame(string key, int index)
    {
        var pixels = new byte[160 * 120 * 3];
        for (var p = 0; p < pixels.Length; p++) pixels[p] = (byte)(p + index * 3);
        return new AddFrame(key, 160, 120, pixels, $"f{index}");
    }

    /// <summary>Creates tasks until <paramref name="count"/> of them live on node <paramref name="node"/>.</summary>
    private string[] KeysHostedOn(int node, int count)
    {
        var prefix = Guid.NewGuid().ToString("N")[..6];
        var found = new List<string>();
        for (var i = 0; found.Count < count && i < 500; i++)
        {
            var key = $"{prefix}-{i}";
            Ask<Accepted>(_regions[0], new CreateTask(key));
            if (EntitiesOf(_regions[node]).Contains(key)) found.Add(key);
        }
        Assert.Equal(count, found.Count);
        return [.. found];
    }

    /// <summary>The region's own view of its entities, asked by a probe of the region's system (replies stay local).</summary>
    private string[] EntitiesOf(IActorRef region)
    {
        var probe = CreateTestProbe(_nodes[_regions.IndexOf(region)]);
        region.Tell(GetShardRegionState.Instance, probe.Ref);
        return probe.ExpectMsg<CurrentShardRegionState>().Shards.SelectMany(s => s.EntityIds).ToArray();
    }

    private T Ask<T>(IActorRef region, object message, TimeSpan? timeout = null)
    {
        region.Tell(message, TestActor);
        return ExpectMsg<T>(timeout);
    }

    void IDisposable.Dispose()
    {
        foreach (var node in _nodes.Skip(1)) node.Terminate().Wait(TimeSpan.FromSeconds(20));
        Shutdown();
        try { Directory.Delete(_output, recursive: true); } catch (IOException) { }
    }
}
