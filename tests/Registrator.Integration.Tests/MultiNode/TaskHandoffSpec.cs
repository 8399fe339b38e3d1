using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Redis;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Integration.Tests.MultiNode;

/// <summary>
/// Two registrator nodes in this process, each with its own port, output folder and encoder pool, sharing one real
/// redis-server, with sharding's defaults (rebalancing on). Tasks that hold frames and statuses on the first node keep
/// them when that node leaves the cluster and their shards move: their state value goes through Redis to the next
/// incarnation on the other node, and the clip each registers there holds every frame, in order.
/// </summary>
public sealed class TaskHandoffSpec : EventStoreSpec, IClassFixture<RedisServer>
{
    private const int W = NumberedFrames.Width;
    private const int H = NumberedFrames.Height;
    private const int FramesPerTask = 20;

    private const string NodeHocon = ClusterNodeHocon + "\n" + """
        akka.test.single-expect-default = 30s
        registrator.trigger.policy = manual
        registrator.media.pool-size = 1
        """;

    private readonly RedisConnection _redis;
    private readonly ActorSystem _first;
    private readonly ActorSystem _second;

    /// <summary>The test's own system only talks to the nodes (as a client would); the two nodes form the cluster.</summary>
    public TaskHandoffSpec(RedisServer redis, ITestOutputHelper output) : base(redis, output, NodeHocon)
    {
        _redis = new RedisConnection(RegistratorSettings.From(Sys).Redis);
        _first = Node(1);
        _second = Node(2);
        Cluster.Get(_first).Join(Cluster.Get(_first).SelfAddress);
        AwaitAssert(() => Assert.Equal(MemberStatus.Up, Cluster.Get(_first).SelfMember.Status), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
    }

    /// <summary>A node with its own port and its own TMP_PATH, as on another host.</summary>
    private ActorSystem Node(int n) => ActorSystem.Create(Sys.Name, ConfigurationFactory
        .ParseString($"""
            registrator.media.output-path = {JsonSerializer.Serialize(Path.Combine(OutputPath, $"node-{n}"))}
            registrator.events.outbox-path = {JsonSerializer.Serialize(Path.Combine(OutputPath, $"outbox-{n}"))}
            """)
        .WithFallback(Sys.Settings.Config));

    [Fact]
    public void Tasks_keep_their_frames_and_statuses_when_their_node_leaves_and_their_shards_move()
    {
        var first = StartRegion(_first);
        var keys = Enumerable.Range(0, 8).Select(i => $"handoff-{Guid.NewGuid():N}-{i}").ToArray();
        var frames = NumberedFrames.Make(FramesPerTask);
        foreach (var key in keys)
            for (var f = 0; f < FramesPerTask; f++)
            {
                Ask<TaskReplies.Accepted>(first, new AddFrame(key, W, H, frames[f], $"f{f}", PipelineCapture(f)));
                Ask<TaskReplies.Accepted>(first, new AddStatus(key, f % 2 == 0, $$"""{"frame_id":"f{{f}}"}"""));
            }
        foreach (var key in keys)
            AwaitAssert(() => Assert.Equal(FramesPerTask, Ask<TaskReplies.TaskSnapshot>(first, new TaskQueries.GetTask(key)).FrameCount));

        // The second node joins; then the first leaves, gracefully, as on SIGTERM: every shard moves to the second.
        Cluster.Get(_second).Join(Cluster.Get(_first).SelfAddress);
        var second = StartRegion(_second);
        AwaitAssert(() => Assert.Equal(2, Cluster.Get(_second).State.Members.Count(m => m.Status == MemberStatus.Up)),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Cluster.Get(_first).Leave(Cluster.Get(_first).SelfAddress);
        AwaitAssert(() => Assert.Single(Cluster.Get(_second).State.Members),
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));

        foreach (var key in keys)
        {
            var snapshot = Ask<TaskReplies.TaskSnapshot>(second, new TaskQueries.GetTask(key));
            Assert.Equal((TaskState.Pending, FramesPerTask, FramesPerTask), (snapshot.State, snapshot.FrameCount, snapshot.Statuses.Length));
            Assert.Equal("""{"frame_id":"f19"}""", snapshot.LatestMessageJson);
        }
        Assert.True(ShardsHostedBy(second) > 0);

        foreach (var key in keys)
        {
            second.Tell(new RegisterTask(key, """{"frame_id":"f5"}"""), TestActor);
            var registered = ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(60));
            Assert.Null(registered.Error);
            Assert.StartsWith(Path.Combine(OutputPath, "node-2"), registered.VideoPath);
            Assert.Equal(Enumerable.Range(0, FramesPerTask), Psnr.MatchedIndices(FfmpegCli.Decode(registered.VideoPath!, W, H), frames));
        }
    }

    [Fact]
    public async Task A_deleted_task_leaves_no_state_behind_and_an_idle_one_keeps_it()
    {
        var region = StartRegion(_first, passivateAfter: TimeSpan.FromSeconds(1));
        var idle = $"idle-{Guid.NewGuid():N}";
        var deleted = $"deleted-{Guid.NewGuid():N}";
        var frames = NumberedFrames.Make(5);
        foreach (var key in new[] { idle, deleted })
            for (var f = 0; f < 5; f++) Ask<TaskReplies.Accepted>(region, new AddFrame(key, W, H, frames[f], $"f{f}", PipelineCapture(f)));
        Ask<TaskReplies.Accepted>(region, new DeleteTask(deleted));

        var database = await _redis.GetDatabaseAsync();
        await AwaitAssertAsync(async () => Assert.True(await database.KeyExistsAsync(RedisKeys.TaskStateOf(idle))),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        Assert.False(await database.KeyExistsAsync(RedisKeys.TaskStateOf(deleted)));

        // The next message starts the next incarnation, which takes the state (and removes it from Redis).
        var snapshot = Ask<TaskReplies.TaskSnapshot>(region, new TaskQueries.GetTask(idle));
        Assert.Equal((TaskState.Created, 5), (snapshot.State, snapshot.FrameCount));
        Assert.False(await database.KeyExistsAsync(RedisKeys.TaskStateOf(idle)));
        Assert.Equal(TaskState.None, Ask<TaskReplies.TaskSnapshot>(region, new TaskQueries.GetTask(deleted)).State);
    }

    private static double PipelineCapture(int frame) => 1_796_000_000.0 + frame / 10.0;

    private IActorRef StartRegion(ActorSystem node, TimeSpan? passivateAfter = null)
    {
        var settings = RegistratorSettings.From(node);
        if (passivateAfter is { } idle) settings = settings with { Task = settings.Task with { PassivateAfter = idle } };
        return TaskSharding.StartRegion(node, settings, new TaskDependencies(
            new FrameMemoryBudget(settings.Task.MaxBufferBytes), EncoderPool.Start(node, settings.Media), ActorRefs.Nobody,
            new TaskHandoff(_redis, settings.Task.StateTtl)), typeName: "task-handoff");
    }

    private int ShardsHostedBy(IActorRef region)
    {
        var probe = CreateTestProbe(_second);
        region.Tell(GetShardRegionState.Instance, probe.Ref);
        return probe.ExpectMsg<CurrentShardRegionState>().Shards.Count;
    }

    private T Ask<T>(IActorRef region, object message)
    {
        region.Tell(message, TestActor);
        return ExpectMsg<T>();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _first.Terminate().Wait(TimeSpan.FromSeconds(20));
            _second.Terminate().Wait(TimeSpan.FromSeconds(20));
            _redis.Dispose();
        }
        base.Dispose(disposing);
    }
}
