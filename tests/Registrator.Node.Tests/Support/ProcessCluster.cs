using System.Globalization;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Support;

/// <summary>
/// What a process-level cluster test runs against: one real redis-server and one real nats-server on free loopback
/// ports, a folder for the nodes (deleted at the end), node processes (<see cref="NodeProcess"/>) that the test adds,
/// starts, stops and kills, and clients that drive them from outside as a camera, a detector and an operator would:
/// NATS publishes and requests, Redis reads. Disposing kills every node still running and writes each node's log tail
/// to the test's output (shown when the test fails).
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    /// <summary>Capture time of frame 0 (Unix seconds); frame n is captured n/10 s later.</summary>
    public const double FirstCaptureTime = 1_796_000_000.0;

    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _folder = new();
    private readonly List<NodeProcess> _nodes = [];

    private ProcessCluster(ITestOutputHelper output, RedisServer redis, NatsServer nats, NatsConnection client, ConnectionMultiplexer redisClient)
    {
        _output = output;
        Redis = redis;
        Nats = nats;
        Client = client;
        RedisClient = redisClient;
    }

    public RedisServer Redis { get; }

    public NatsServer Nats { get; }

    /// <summary>The test's own NATS connection: publisher of frames and results, requester of commands.</summary>
    public NatsConnection Client { get; }

    /// <summary>The test's own Redis connection, for reading what the nodes recorded.</summary>
    public ConnectionMultiplexer RedisClient { get; }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>A path in the test's folder (deleted with it), for files the test makes.</summary>
    public string PathOf(string name) => _folder.Combine(name);

    public static async Task<ProcessCluster> StartAsync(ITestOutputHelper output)
    {
        var redis = await RedisServer.StartNewAsync();
        var nats = NatsServer.Start();
        var client = new NatsConnection(new NatsOpts { Url = nats.Url, Name = "cluster-test" });
        await client.ConnectAsync();
        return new ProcessCluster(output, redis, nats, client, await redis.ConnectAsync());
    }

    /// <summary>
    /// Adds <paramref name="count"/> nodes (not started), with Akka ports in ascending order: the first has the lowest
    /// address, which is the side the split-brain resolver keeps when a cluster splits into halves of equal size.
    /// </summary>
    public IReadOnlyList<NodeProcess> AddNodes(int count)
    {
        var akkaPorts = Enumerable.Range(0, count).Select(_ => FreePort()).Order().ToArray();
        var added = akkaPorts.Select(port =>
        {
            var name = $"node-{_nodes.Count + 1}";
            var node = new NodeProcess(name, _folder.Combine(name), port, FreePort());
            _nodes.Add(node);
            return node;
        }).ToArray();
        return added;
    }

    /// <summary>
    /// The keys every node gets: loopback Redis and NATS, INFO logs, one encoder, manual trigger, a 3 s reorder window, no retention, and
    /// sharding's defaults (rebalancing on).
    /// </summary>
    public string ClusterHocon(int? redisPort = null) => $$"""
        akka.loglevel = INFO
        registrator.media.pool-size = 1
        registrator.trigger.policy = manual
        # Frames of one key reach its task through both nodes' bridges; on a loaded test machine one path can lag the
        # other by more than the default 1 s, and its frames would count as late (by design) instead of being ordered.
        registrator.task.reorder-window = 3s
        registrator.events.retention.interval = 0s
        registrator.redis { host = "127.0.0.1", port = {{redisPort ?? Redis.Port}}, connect-timeout = 2s, command-timeout = 2s }
        registrator.nats { servers = ["{{Nats.Url}}"], reconnect-wait-min = 100ms, reconnect-wait-max = 500ms }
        """;

    /// <summary>
    /// Starts (or restarts) <paramref name="node"/> with the cluster's keys: it joins the nodes that are running, or forms
    /// the cluster when none is. Returns once it is Up and ready (see <see cref="NodeProcess.StartAsync"/>).
    /// </summary>
    /// <param name="redisPort">Another Redis port for this start (a port nobody listens on: a node whose Redis is down).</param>
    public Task StartAsync(NodeProcess node, int? redisPort = null, IReadOnlyCollection<string>? mayFail = null)
    {
        var running = _nodes.Where(n => n != node && n.IsRunning).Select(n => n.AkkaAddress).ToArray();
        return node.StartAsync(ClusterHocon(redisPort), running.Length > 0 ? running : [node.AkkaAddress], mayFail);
    }

    /// <summary>A JPEG frame on <c>registrator.frames</c> with its capture time, as a camera publisher sends it.</summary>
    public ValueTask PublishFrameAsync(string key, int index, byte[] jpeg) =>
        Client.PublishAsync("registrator.frames", jpeg, new NatsHeaders
        {
            ["Task-Key"] = key,
            ["Content-Type"] = "image/jpeg",
            ["Frame-Id"] = FrameId(index),
            ["Frame-Time"] = CaptureTime(index).ToString("F3", CultureInfo.InvariantCulture),
        });

    /// <summary>An inference result on <c>inference.results</c> for frame <paramref name="index"/>, stamped with its capture time.</summary>
    public ValueTask PublishResultAsync(string key, int index, bool detected) =>
        Client.PublishAsync("inference.results", Encoding.UTF8.GetBytes(ResultJson(key, index, detected)));

    public static string ResultJson(string key, int index, bool detected) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"key":{{JsonSerializer.Serialize(key)}},"detected":{{(detected ? "true" : "false")}},"model":"yolo","result":{"boxes":[[1,2,30,40]],"scores":[{{(detected ? 0.9 : 0.1)}}],"class_ids":[0]},"frame_id":"{{FrameId(index)}}","timestamp":{{CaptureTime(index):F3}}}""");

    /// <summary>A request on <c>registrator.commands</c>; the reply's JSON.</summary>
    public async Task<JsonElement> CommandAsync(string command, string key, string? message = null, TimeSpan? timeout = null)
    {
        var request = $$"""{"command":"{{command}}","key":{{JsonSerializer.Serialize(key)}}{{(message is null ? "" : ",\"message\":" + message)}}}""";
        var reply = await Client.RequestAsync<byte[], byte[]>("registrator.commands", Encoding.UTF8.GetBytes(request),
            replyOpts: new NatsSubOpts { Timeout = timeout ?? TimeSpan.FromSeconds(90) });
        using var document = JsonDocument.Parse(reply.Data ?? []);
        return document.RootElement.Clone();
    }

    /// <summary>Every member of the sorted set <c>events</c>, read back as the events it records.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> EventsInRedisAsync()
    {
        var members = await RedisClient.GetDatabase().SortedSetRangeByRankAsync("events");
        return members.Select(m => RecordedEvent.Parse(m.ToString())).ToArray();
    }

    /// <summary>The event's clip as <paramref name="node"/> serves it (from its disk or proxied), saved to a file for ffprobe.</summary>
    public async Task<string> DownloadClipAsync(NodeProcess node, string eventId)
    {
        using var response = await node.Http.GetAsync($"/media/{eventId}/clip.mp4");
        Assert.True(response.IsSuccessStatusCode, $"{node.Name}: GET /media/{eventId}/clip.mp4 answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Directory.CreateDirectory(_folder.Combine("clips"));
        var path = _folder.Combine("clips", eventId + ".mp4");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }

    public static string FrameId(int index) => $"f{index:000}";

    public static double CaptureTime(int index) => FirstCaptureTime + index / 10.0;

    public async ValueTask DisposeAsync()
    {
        // REGISTRATOR_TEST_LOGS=<folder> keeps every node's whole log there (the test's own folder is deleted).
        var keep = Environment.GetEnvironmentVariable("REGISTRATOR_TEST_LOGS") is { Length: > 0 } logs
            ? Path.Combine(logs, $"{DateTime.UtcNow:HHmmss}-{Guid.NewGuid().ToString("N")[..6]}")
            : null;
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
            try { _output.WriteLine(node.LogTail(40)); } catch (InvalidOperationException) { /* no test running to write to */ }
            if (keep is null || !File.Exists(node.LogPath)) continue;
            Directory.CreateDirectory(keep);
            File.Copy(node.LogPath, Path.Combine(keep, node.Name + ".log"));
        }
        RedisClient.Dispose();
        await Client.DisposeAsync();
        Nats.Dispose();
        await Redis.DisposeAsync();
        _folder.Dispose();
    }

    public static int FreePort() => Registrator.Testing.FreePort.Next();
}

/// <summary>One member of the sorted set <c>events</c>: <c>{"&lt;task key&gt;": {..., "event_id": ..., "node": ...}}</c>.</summary>
public sealed record RecordedEvent(string Key, string EventId, string? Node, string? VideoProofs, string? Error)
{
    public static RecordedEvent Parse(string member)
    {
        using var document = JsonDocument.Parse(member);
        var task = document.RootElement.EnumerateObject().Single();
        var body = task.Value;
        return new RecordedEvent(task.Name, body.GetProperty("event_id").GetString()!,
            body.TryGetProperty("node", out var node) ? node.GetString() : null,
            body.GetProperty("video_proofs").GetString(),
            body.TryGetProperty("error", out var error) ? error.GetString() : null);
    }
}
