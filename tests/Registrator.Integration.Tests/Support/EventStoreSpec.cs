using System.Collections;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.Redis;
using Registrator.Contracts;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.Support;

/// <summary>
/// An actor system with the product's configuration (hocon/registrator.conf, no environment) pointed at a real
/// <see cref="Registrator.Testing.RedisServer"/>, with a fresh sorted-set key, output folder and outbox folder per test, so tests never see
/// each other's events. Back-offs are short so recoveries happen within a test's patience.
/// </summary>
public abstract class EventStoreSpec : TestKit
{
    private readonly Scene _scene;
    private ConnectionMultiplexer? _client;
    private readonly List<RedisConnection> _connections = [];

    protected EventStoreSpec(RedisServer redis, ITestOutputHelper output, string hocon = "")
        : this(new Scene(redis, hocon), output)
    {
    }

    private EventStoreSpec(Scene scene, ITestOutputHelper output)
        : base(scene.Config(scene.Redis.Port), output: output)
    {
        _scene = scene;
    }

    /// <summary>This test's system as a registrator cluster node on a free loopback port (join it with <see cref="JoinSelfAndAwaitUp"/>).</summary>
    protected const string ClusterNodeHocon = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster.roles = ["registrator"]
        akka.cluster.leader-actions-interval = 100ms
        akka.cluster.gossip-interval = 200ms
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """;

    /// <summary>A single-node cluster: the system joins itself and waits until it is Up.</summary>
    protected void JoinSelfAndAwaitUp()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
    }

    protected RedisServer Redis => _scene.Redis;

    /// <summary>The sorted set of this test (registrator.events.sorted-set-key).</summary>
    protected string EventsKey => _scene.EventsKey;

    /// <summary>registrator.media.output-path of this test: where clips would be.</summary>
    protected string OutputPath => _scene.OutputPath;

    protected string OutboxPath => _scene.OutboxPath;

    protected string OutboxFile => Path.Combine(OutboxPath, "events.jsonl");

    /// <summary>A folder outside <see cref="OutputPath"/>, deleted with the test.</summary>
    protected string Outside => _scene.Outside;

    /// <summary>The event store of this test's system.</summary>
    protected IActorRef StartStore(ActorSystem? system = null) =>
        (system ?? Sys).ActorOf(EventStoreActor.Props((system ?? Sys).Settings.Config), EventStoreActor.DefaultName);

    /// <summary>
    /// The retention of this test's system (or <paramref name="system"/>), beside <paramref name="store"/>, on a Redis
    /// connection disposed with the test.
    /// </summary>
    protected IActorRef StartRetention(IActorRef store, ActorSystem? system = null)
    {
        var settings = RegistratorSettings.From(system ?? Sys);
        var connection = new RedisConnection(settings.Redis);
        _connections.Add(connection);
        return (system ?? Sys).ActorOf(RetentionActor.Props(settings.Events, connection, settings.Media.OutputPath, store), RetentionActor.DefaultName);
    }

    /// <summary>The node name the store and retention of a node whose TMP_PATH is <paramref name="outputPath"/> use (this test's by default).</summary>
    protected string NodeIdOf(string? outputPath = null) => NodeName.Resolve(null, outputPath ?? OutputPath);

    /// <summary>
    /// Another actor system with this test's configuration (same key, output and outbox folders), its Redis at
    /// <paramref name="redisPort"/>: a node before a restart, or a node whose Redis is unreachable (a port nobody listens on).
    /// </summary>
    protected ActorSystem NewSystem(int redisPort, string hocon = "") =>
        ActorSystem.Create("node-" + Guid.NewGuid().ToString("N")[..8], _scene.Config(redisPort, hocon));

    /// <summary>
    /// Records <paramref name="events"/> on a node that cannot reach Redis, waits until each is accepted, and stops the
    /// node: the outbox holds them, undelivered, as after a node went down during a Redis outage.
    /// </summary>
    protected async Task LeaveInOutboxAsync(params RegisteredEvent[] events)
    {
        var node = NewSystem(UnreachablePort());
        try
        {
            var store = StartStore(node);
            foreach (var e in events) store.Tell(new RecordEvent(e, ActorRefs.Nobody), TestActor);
            foreach (var e in events) await ExpectMsgAsync<EventAccepted>(a => a.EventId == e.EventId);
        }
        finally
        {
            await node.Terminate();
        }
    }

    /// <summary>Runs a node that can reach Redis until it has registered <paramref name="events"/>, then stops it.</summary>
    protected async Task DeliverOnAnotherNodeAsync(params RegisteredEvent[] events)
    {
        var node = NewSystem(Redis.Port);
        try
        {
            var registered = CreateTestProbe(node);
            node.EventStream.Subscribe(registered.Ref, typeof(TaskEvents.EventRegistered));
            StartStore(node);
            foreach (var e in events)
                await registered.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(30));
        }
        finally
        {
            await node.Terminate();
        }
    }

    /// <summary>A port on which nothing listens: Redis as seen from a node that cannot reach it.</summary>
    protected static int UnreachablePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A plain StackExchange.Redis client on this test's server, for reading what the store wrote.</summary>
    protected async Task<IDatabase> ClientAsync()
    {
        _client ??= await Redis.ConnectAsync();
        return _client.GetDatabase();
    }

    /// <summary>ZRANGE events 0 -1 WITHSCORES.</summary>
    protected async Task<SortedSetEntry[]> MembersAsync() =>
        await (await ClientAsync()).SortedSetRangeByRankWithScoresAsync(EventsKey);

    /// <summary>Writes a member as the store would (and its files, when asked), for retention to find.</summary>
    protected async Task SeedAsync(RegisteredEvent e, bool withFiles = true)
    {
        if (withFiles)
        {
            foreach (var path in new[] { e.VideoPath, e.ImagePath })
            {
                if (path is null) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, "proof");
            }
        }
        await (await ClientAsync()).SortedSetAddAsync(EventsKey, EventMember.Build(e), e.Timestamp);
    }

    protected const string YoloMessage = """{"model":"YOLOModel","result":{"boxes":[[100,100,200,200]],"scores":[0.95],"class_ids":[0]},"frame_id":"frame_001"}""";

    /// <summary>An event as a TaskActor builds it: a clip under <see cref="OutputPath"/>, or none and an error.</summary>
    protected RegisteredEvent NewEvent(
        string? taskKey = null, string? error = null, string message = YoloMessage, double? timestamp = null, TaskStatistics? statistics = null)
    {
        var id = Guid.NewGuid();
        var folder = Path.Combine(OutputPath, id.ToString("D"));
        return new RegisteredEvent(
            id,
            taskKey ?? "camera-" + Guid.NewGuid().ToString("N")[..8],
            message,
            error is null ? Path.Combine(folder, id + ".mp4") : null,
            error is null ? Path.Combine(folder, id + ".jpg") : null,
            error,
            timestamp ?? NowSeconds(),
            statistics ?? new TaskStatistics(FrameCount: 30, StatusCount: 30, MostCommonStatus: true, Cycle: 1));
    }

    protected static double NowSeconds() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>The task's object inside a sorted-set member: <c>{"&lt;key&gt;": {…}}</c>.</summary>
    protected static JsonElement TaskObjectOf(string member, string taskKey)
    {
        using var document = JsonDocument.Parse(member);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal([taskKey], root.EnumerateObject().Select(p => p.Name));
        return root.GetProperty(taskKey).Clone();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        _client?.Dispose();
        foreach (var connection in _connections) connection.Dispose();
        _scene.Dispose();
    }

    /// <summary>Everything a test gets fresh; built before the actor system, which needs its paths in the configuration.</summary>
    private sealed class Scene : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly string _hocon;

        public Scene(RedisServer redis, string hocon)
        {
            Redis = redis;
            _hocon = hocon;
            EventsKey = "events-" + Guid.NewGuid().ToString("N")[..12];
            OutputPath = _temp.Combine("media");
            OutboxPath = _temp.Combine("outbox");
            Outside = _temp.Combine("outside");
            Directory.CreateDirectory(OutputPath);
            Directory.CreateDirectory(Outside);
        }

        public RedisServer Redis { get; }
        public string EventsKey { get; }
        public string OutputPath { get; }
        public string OutboxPath { get; }
        public string Outside { get; }

        public Config Config(int redisPort, string extra = "") => RegistratorConfig.Load($$"""
            akka.loglevel = INFO
            akka.actor.provider = local
            akka.test.single-expect-default = 10s
            registrator.media.output-path = {{Quote(OutputPath)}}
            registrator.redis {
              host = "127.0.0.1"
              port = {{redisPort}}
              connect-timeout = 2s
              command-timeout = 2s
              reconnect-min-backoff = 100ms
              reconnect-max-backoff = 500ms
            }
            registrator.events {
              sorted-set-key = {{Quote(EventsKey)}}
              outbox-path = {{Quote(OutboxPath)}}
              min-backoff = 50ms
              max-backoff = 1s
              unreachable-log-interval = 5s
              retention.interval = 0s
            }
            {{_hocon}}
            {{extra}}
            """, environment: new Hashtable());

        public void Dispose() => _temp.Dispose();

        private static string Quote(string value) => JsonSerializer.Serialize(value);
    }
}
