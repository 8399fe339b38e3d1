using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.EventStore;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.MultiNode;

/// <summary>
/// Three registrator nodes in this process, each with its own encoder pool, event store and outbox, all writing to one
/// real redis-server: tasks hosted on every node register, and every event lands in the one sorted set.
/// </summary>
public sealed class ThreeNodeRegistrationSpec : EventStoreSpec, IClassFixture<RedisServer>
{
    private const string ClusterHocon = ClusterNodeHocon + "\n" + """
        akka.test.single-expect-default = 30s
        registrator.trigger.policy = manual
        registrator.media.pool-size = 1
        """;

    private readonly List<ActorSystem> _nodes = [];
    private readonly List<IActorRef> _regions = [];

    public ThreeNodeRegistrationSpec(RedisServer redis, ITestOutputHelper output) : base(redis, output, ClusterHocon)
    {
        _nodes.Add(Sys);
        for (var i = 1; i < 3; i++)
            // Each node locks its own outbox file.
            _nodes.Add(ActorSystem.Create(Sys.Name, Akka.Configuration.ConfigurationFactory
                .ParseString($"registrator.events.outbox-path = {JsonSerializer.Serialize(Path.Combine(OutboxPath, $"node-{i}"))}")
                .WithFallback(Sys.Settings.Config)));
        var seed = Cluster.Get(Sys).SelfAddress;
        foreach (var node in _nodes) Cluster.Get(node).Join(seed);
        AwaitAssert(() => Assert.All(_nodes, node =>
            Assert.Equal(3, Cluster.Get(node).State.Members.Count(m => m.Status == MemberStatus.Up))),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        foreach (var node in _nodes)
        {
            var settings = RegistratorSettings.From(node);
            var store = node.ActorOf(EventStoreActor.Props(settings.Events, settings.Redis, settings.Media.OutputPath), EventStoreActor.DefaultName);
            _regions.Add(TaskSharding.StartRegion(node, settings,
                new TaskDependencies(new FrameMemoryBudget(settings.Task.MaxBufferBytes), EncoderPool.Start(node, settings.Media), store)));
        }
    }

    [Fact]
    public async Task Registrations_from_tasks_on_all_three_nodes_land_in_Redis()
    {
        var keys = Enumerable.Range(0, 3).Select(KeyHostedOn).ToArray();
        foreach (var key in keys)
            for (var f = 0; f < 10; f++) Ask<TaskReplies.Accepted>(new TaskCommands.AddFrame(key, 64, 48, new byte[64 * 48 * 3], $"{f}"));
        foreach (var key in keys) _regions[0].Tell(new TaskCommands.RegisterTask(key, """{"model":"yolo"}"""), TestActor);

        var registered = keys.Select(_ => ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(60))).ToArray();
        Assert.All(registered, r => Assert.Null(r.Error));
        var members = await MembersAsync();
        Assert.Equal(keys.Order(), members.Select(m => JsonDocument.Parse(m.Element.ToString()).RootElement.EnumerateObject().Single().Name).Order());
    }

    /// <summary>A fresh key whose task lives on node <paramref name="node"/>.</summary>
    private string KeyHostedOn(int node)
    {
        for (var i = 0; i < 500; i++)
        {
            var key = $"node{node}-camera-{i}";
            Ask<TaskReplies.Accepted>(new TaskCommands.CreateTask(key));
            var probe = CreateTestProbe(_nodes[node]);
            _regions[node].Tell(GetShardRegionState.Instance, probe.Ref);
            if (probe.ExpectMsg<CurrentShardRegionState>().Shards.Any(s => s.EntityIds.Contains(key))) return key;
            _regions[0].Tell(new TaskCommands.DeleteTask(key), TestActor);
            ExpectMsg<TaskReplies.Accepted>();
        }
        throw new InvalidOperationException($"no key landed on node {node}");
    }

    private T Ask<T>(object message)
    {
        _regions[0].Tell(message, TestActor);
        return ExpectMsg<T>();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var node in _nodes.Skip(1)) node.Terminate().Wait(TimeSpan.FromSeconds(20));
        base.Dispose(disposing);
    }
}
