using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.Metrics;
using Registrator.Actors.Redis;
using Registrator.Integration.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.MultiNode;

/// <summary>
/// Retention across nodes: separate cluster nodes in this process (own remoting port, own TMP_PATH and outbox, own
/// event store and retention actor), one real redis-server. Each node deletes only the files it holds, when its events
/// expire; a node that is down keeps its events until it is back (or gone for longer than abandon-after); each node's
/// orphan sweep deletes what no record names, never a file younger than the grace period.
/// </summary>
public sealed class RetentionAcrossNodesSpec(RedisServer redis, ITestOutputHelper output)
    : EventStoreSpec(redis, output, ClusterNodeHocon + "\nakka.test.single-expect-default = 30s"), IClassFixture<RedisServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    // Events expire 3 s after they are recorded; every node runs retention every 300 ms.
    private const string FastRetention = """
        registrator.events.retention {
          interval = 300ms
          max-age = 3s
          heartbeat-interval = 200ms
          abandon-after = 0s
          orphan-sweep-interval = 0s
          orphan-grace = 10m
        }
        """;

    private readonly string _lists = Guid.NewGuid().ToString("N")[..8];
    private readonly List<Node> _nodes = [];
    private Address? _seed;

    [Theory]
    [InlineData("sorted-set")]
    [InlineData("list")]
    public async Task Each_node_deletes_its_own_files_when_they_expire_and_a_node_that_is_down_keeps_its_events_until_it_is_back(string store)
    {
        var hocon = FastRetention + StoreHocon(store);
        var nodes = new[] { StartNode(1, hocon), StartNode(2, hocon), StartNode(3, hocon) };
        var events = new Dictionary<int, RegisteredEvent[]>();
        foreach (var node in nodes) events[node.Number] = await RecordAsync(node, 2);
        Assert.Equal(6, await RecordsAsync(store));

        // Node 3 goes down with its events unexpired; nodes 1 and 2 go on.
        await nodes[2].StopAsync();
        await AwaitAssertAsync(async () => Assert.Equal(2, await RecordsAsync(store)), Patience, Poll);
        foreach (var n in new[] { 1, 2 }) await AwaitAssertAsync(() => AssertFilesGone(events[n]), Patience, Poll);

        // Past node 3's expiry, runs of both live nodes leave its two events alone; its files stay on its disk.
        await AwaitAssertAsync(() =>
        {
            Assert.True(nodes[0].Runs.Count(r => r.Waiting == 2) >= 3);
            Assert.True(nodes[1].Runs.Count(r => r.Waiting == 2) >= 3);
        }, Patience, Poll);
        Assert.Equal(2, await RecordsAsync(store));
        AssertFilesExist(events[3]);

        // Back on the same TMP_PATH (so the same node_id), node 3 deletes its files and removes its events.
        var back = StartNode(3, hocon);
        await AwaitAssertAsync(async () => Assert.Equal(0, await RecordsAsync(store)), Patience, Poll);
        await AwaitAssertAsync(() => AssertFilesGone(events[3]), Patience, Poll);

        // Every file was deleted exactly once, by the node that holds it; none was refused or failed; no orphan is left.
        foreach (var node in new[] { nodes[0], nodes[1], back })
        {
            await AwaitAssertAsync(() => Assert.Equal(4, node.Runs.Sum(r => r.FilesDeleted)), Patience, Poll);
            Assert.Equal(2, node.Runs.Sum(r => r.FoldersDeleted));
            Assert.Equal(2, node.Runs.Sum(r => r.Removed));
            Assert.All(node.Runs, r => Assert.Equal((0, 0, 0), (r.Refused, r.Failed, (int)r.Abandoned)));
            Assert.Empty(Directory.GetDirectories(node.Output));
            Assert.Equal(4, node.Counters["registrator.retention.files_deleted"]);
            Assert.Equal(2, node.Counters["registrator.retention.events_removed{reason=expired}"]);
            Assert.Equal(0, node.Counters["registrator.retention.files_failed"]);
        }
        Assert.Equal(0, nodes[2].Runs.Sum(r => r.FilesDeleted));
        if (store == "list") await AssertNoListKeysLeftAsync();
    }

    [Fact]
    public async Task Events_of_a_node_silent_for_longer_than_abandon_after_are_removed_and_its_orphan_sweep_deletes_the_files_when_it_returns()
    {
        var hocon = FastRetention + "registrator.events.retention.abandon-after = 1s\n";
        var survivor = StartNode(1, hocon);
        var gone = StartNode(2, hocon);
        var events = await RecordAsync(gone, 2);
        await gone.StopAsync();

        await AwaitAssertAsync(async () => Assert.Empty(await MembersAsync()), Patience, Poll);
        Assert.Equal(2, survivor.Runs.Sum(r => r.Abandoned));
        Assert.Equal(0, survivor.Runs.Sum(r => r.FilesDeleted));
        AssertFilesExist(events);

        // The files are an hour old when the node is back (older than the grace): orphans, deleted by its own sweep.
        foreach (var e in events) SetWritten(e, DateTime.UtcNow - TimeSpan.FromHours(1));
        var back = StartNode(2, hocon);
        var sweep = await SweepAsync(back);

        Assert.Equal(new OrphanSweepResult(null, FilesSeen: 4, FilesDeleted: 4, FoldersDeleted: 2, Failed: 0), sweep);
        AssertFilesGone(events);
        Assert.Equal(2, survivor.Counters["registrator.retention.events_removed{reason=abandoned}"]);
        Assert.Equal(4, back.Counters["registrator.retention.orphans_deleted"]);
    }

    [Fact]
    public async Task The_orphan_sweep_deletes_old_files_no_record_names_and_leaves_fresh_named_and_foreign_files()
    {
        var node = StartNode(1, FastRetention.Replace("max-age = 3s", "max-age = 1h"));
        var named = (await RecordAsync(node, 1))[0];
        var oldOrphan = Plant(node, DateTime.UtcNow - TimeSpan.FromHours(1));
        var freshOrphan = Plant(node, DateTime.UtcNow - TimeSpan.FromMinutes(1));
        SetWritten(named, DateTime.UtcNow - TimeSpan.FromHours(1));
        var foreignFolder = Path.Combine(node.Output, "not-an-event");
        Directory.CreateDirectory(foreignFolder);
        var foreign = Path.Combine(foreignFolder, "notes.mp4");
        var stranger = Path.Combine(Path.GetDirectoryName(oldOrphan.VideoPath)!, "operator-notes.txt");
        foreach (var path in new[] { foreign, stranger })
        {
            await File.WriteAllTextAsync(path, "keep me");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromDays(30));
        }

        var sweep = await SweepAsync(node);

        Assert.Equal(new OrphanSweepResult(null, FilesSeen: 6, FilesDeleted: 2, FoldersDeleted: 0, Failed: 0), sweep);
        // The orphan's folder stays: it holds a file that is not the encoders'.
        Assert.False(File.Exists(oldOrphan.VideoPath));
        Assert.False(File.Exists(oldOrphan.ImagePath));
        AssertFilesExist(freshOrphan, named);
        Assert.True(File.Exists(foreign));
        Assert.True(File.Exists(stranger));
        Assert.Single(await MembersAsync());
    }

    [Fact]
    public async Task The_orphan_sweep_is_skipped_while_the_event_store_holds_events_not_yet_in_Redis()
    {
        var node = StartNode(1, FastRetention, storeRedisPort: UnreachablePort());
        var oldOrphan = Plant(node, DateTime.UtcNow - TimeSpan.FromHours(1));
        var waiting = NewEventOn(node);
        PlantFiles(waiting, DateTime.UtcNow - TimeSpan.FromHours(1));
        node.Store.Tell(new RecordEvent(waiting, ActorRefs.Nobody), TestActor);
        await ExpectMsgAsync<EventAccepted>(a => a.EventId == waiting.EventId);

        node.Retention.Tell(RunOrphanSweep.Instance, TestActor);
        var sweep = await ExpectMsgAsync<OrphanSweepResult>(Patience);

        Assert.Equal("1 events are not yet in Redis", sweep.Skipped);
        AssertFilesExist(oldOrphan, waiting);
    }

    /// <summary>An orphan sweep on <paramref name="node"/> once its event store has read its outbox (a sweep waits for that).</summary>
    private async Task<OrphanSweepResult> SweepAsync(Node node)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            node.Retention.Tell(RunOrphanSweep.Instance, TestActor);
            var sweep = await ExpectMsgAsync<OrphanSweepResult>(Patience);
            if (sweep.Skipped != "the event store is still reading its outbox" || DateTime.UtcNow > deadline) return sweep;
        }
    }

    // ── Nodes ───────────────────────────────────────────────────────────────────────────────────────────────────

    private string StoreHocon(string store) => store == "list"
        ? $$"""
            registrator.events { store = list, list-key-prefix = "re-{{_lists}}:", list-ids-key-prefix = "re-ids-{{_lists}}:" }
            """
        : "";

    /// <summary>Node <paramref name="n"/>: a cluster node with its own TMP_PATH and outbox, joined to the first one started.</summary>
    private Node StartNode(int n, string hocon, int? storeRedisPort = null)
    {
        var output = Path.Combine(OutputPath, $"node-{n}");
        Directory.CreateDirectory(output);
        var system = ActorSystem.Create(Sys.Name, ConfigurationFactory.ParseString($"""
                registrator.media.output-path = {JsonSerializer.Serialize(output)}
                registrator.events.outbox-path = {JsonSerializer.Serialize(Path.Combine(OutputPath, $"outbox-{n}"))}
                {hocon}
                """).WithFallback(Sys.Settings.Config));
        var cluster = Cluster.Get(system);
        _seed ??= cluster.SelfAddress;
        cluster.Join(_seed);
        var meterName = $"Registrator.retention-spec.{Guid.NewGuid():N}";
        var counters = new Counters(meterName);
        RegistratorMetrics.Register(system, new RegistratorMetrics(meterName));
        var settings = RegistratorSettings.From(system);
        var connection = new RedisConnection(settings.Redis);
        var storeRedis = storeRedisPort is { } port ? settings.Redis with { Port = port } : settings.Redis;
        var store = system.ActorOf(EventStoreActor.Props(settings.Events, storeRedis, output), EventStoreActor.DefaultName);
        var runs = new ConcurrentQueue<RetentionResult>();
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new Collector(runs))), typeof(RetentionResult));
        var retention = system.ActorOf(RetentionActor.Props(settings.Events, connection, output, store), RetentionActor.DefaultName);
        var node = new Node(n, system, connection, output, store, retention, runs, counters);
        _nodes.Add(node);
        return node;
    }

    private sealed record Node(int Number, ActorSystem System, RedisConnection Connection, string Output, IActorRef Store, IActorRef Retention,
        ConcurrentQueue<RetentionResult> Runs, Counters Counters)
    {
        public async Task StopAsync()
        {
            await System.Terminate();
            Connection.Dispose();
        }
    }

    /// <summary>The counters of one node's meter, summed by name and by name and reason (as Prometheus shows them).</summary>
    private sealed class Counters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _sums = new();

        public Counters(string meterName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == meterName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                foreach (var tag in tags)
                    if (tag.Key == "reason") _sums.AddOrUpdate($"{instrument.Name}{{reason={tag.Value}}}", value, (_, sum) => sum + value);
            });
            _listener.Start();
        }

        public long this[string name] => _sums.TryGetValue(name, out var sum) ? sum : 0;

        public void Dispose() => _listener.Dispose();
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<RetentionResult> runs) => Receive<RetentionResult>(runs.Enqueue);
    }

    // ── Events and files ────────────────────────────────────────────────────────────────────────────────────────

    private RegisteredEvent NewEventOn(Node node)
    {
        var e = NewEvent(taskKey: $"retention-{_lists}-{node.Number}");
        var folder = Path.Combine(node.Output, e.EventId.ToString("D"));
        return e with { VideoPath = Path.Combine(folder, e.EventId + ".mp4"), ImagePath = Path.Combine(folder, e.EventId + ".jpg") };
    }

    /// <summary>Writes the clip and keyframe on the node, then records the event there, as an encoder and a task would.</summary>
    private async Task<RegisteredEvent[]> RecordAsync(Node node, int count)
    {
        var events = Enumerable.Range(0, count).Select(_ => NewEventOn(node)).ToArray();
        var registered = CreateTestProbe();
        foreach (var e in events)
        {
            PlantFiles(e, DateTime.UtcNow);
            node.Store.Tell(new RecordEvent(e, registered.Ref), registered.Ref);
        }
        var inRedis = new HashSet<Guid>();
        while (inRedis.Count < count)
        {
            // EventAccepted (the outbox has it) comes first, then EventRegistered (Redis has it).
            if (await registered.ReceiveOneAsync(Patience) is Registrator.Contracts.TaskEvents.EventRegistered r) inRedis.Add(r.EventId);
        }
        Assert.Equal(events.Select(e => e.EventId).ToHashSet(), inRedis);
        return events;
    }

    /// <summary>The files of an event that no record names.</summary>
    private RegisteredEvent Plant(Node node, DateTime written)
    {
        var e = NewEventOn(node);
        PlantFiles(e, written);
        return e;
    }

    private static void PlantFiles(RegisteredEvent e, DateTime written)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(e.VideoPath)!);
        File.WriteAllText(e.VideoPath!, "clip");
        File.WriteAllText(e.ImagePath!, "keyframe");
        SetWritten(e, written);
    }

    private static void SetWritten(RegisteredEvent e, DateTime written)
    {
        File.SetLastWriteTimeUtc(e.VideoPath!, written);
        File.SetLastWriteTimeUtc(e.ImagePath!, written);
    }

    private static void AssertFilesGone(params RegisteredEvent[] events) => Assert.All(events, e =>
    {
        Assert.False(File.Exists(e.VideoPath), e.VideoPath);
        Assert.False(File.Exists(e.ImagePath), e.ImagePath);
        Assert.False(Directory.Exists(Path.GetDirectoryName(e.VideoPath)), Path.GetDirectoryName(e.VideoPath));
    });

    private static void AssertFilesExist(params RegisteredEvent[] events) => Assert.All(events, e =>
    {
        Assert.True(File.Exists(e.VideoPath), e.VideoPath);
        Assert.True(File.Exists(e.ImagePath), e.ImagePath);
    });

    // ── Redis ───────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>The records of this test: sorted-set members, or entries of its lists.</summary>
    private async Task<long> RecordsAsync(string store)
    {
        var database = await ClientAsync();
        if (store != "list") return await database.SortedSetLengthAsync(EventsKey);
        long total = 0;
        foreach (var key in await ListKeysAsync($"re-{_lists}:*")) total += await database.ListLengthAsync(key);
        return total;
    }

    private async Task AssertNoListKeysLeftAsync()
    {
        Assert.Empty(await ListKeysAsync($"re-{_lists}:*"));
        Assert.Empty(await ListKeysAsync($"re-ids-{_lists}:*"));
    }

    private async Task<RedisKey[]> ListKeysAsync(string pattern)
    {
        var keys = new List<RedisKey>();
        var server = (await ClientAsync()).Multiplexer.GetServers().Single();
        await foreach (var key in server.KeysAsync(pattern: pattern)) keys.Add(key);
        return keys.ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var node in _nodes)
            {
                node.System.Terminate().Wait(TimeSpan.FromSeconds(20));
                node.Connection.Dispose();
                node.Counters.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
