using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using NATS.Client.Core;
using Registrator.Actors.Nats;
using Registrator.Contracts;
using Registrator.Demo;
using Registrator.Media;
using StackExchange.Redis;
using static Registrator.Benchmarks.BenchStats;

namespace Registrator.Benchmarks;

/// <summary>
/// Frames in to events out on 1, 2 and 3 nodes (--nodes), each node its own process (<see cref="NodeProcess"/>) pinned to
/// its own core, sharing one redis-server and one nats-server: 24 keys (--keys) × 30 JPEG frames (--frames) of 640×480
/// testsrc2 published on <c>registrator.frames</c> (headers Task-Key, Content-Type image/jpeg, Frame-Id, Frame-Time
/// 1/fps apart), each key registered with the NATS <c>register</c> command once <c>get</c> shows its frames buffered;
/// the clock runs from the first frame until all its events are in Redis's sorted set. Each cluster size gets fresh
/// nodes and a warm-up round (JIT, shard allocation, encoder sessions) before the measured one. A cluster size that
/// needs more cores than the machine has is skipped, said so. The publisher runs in this process, unpinned.
/// </summary>
internal static class ClusterBenchmark
{
    private const double Goal = 0.9;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan IdleSample = TimeSpan.FromSeconds(3);
    /// <summary>
    /// Bounds of the pause between two <c>get</c> commands of one key while its frames are buffered. Within them the
    /// pause is half the time the key's frames still need at the rate they have been taken so far, so a key is polled
    /// about a dozen times, not every 50 ms: each get is work for the nodes and, with two, crosses to the task's node
    /// half the time, which a user's cluster does not do 20 times a second per camera. The figures are pessimistic by
    /// up to <see cref="MinGetInterval"/> once a key is nearly done.
    /// </summary>
    private static readonly TimeSpan MinGetInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxGetInterval = TimeSpan.FromMilliseconds(400);

    public static async Task<int> Run(string[] args)
    {
        var keys = BenchArgs.Int(args, "--keys", 24);
        var frames = BenchArgs.Int(args, "--frames", 30);
        var maxNodes = BenchArgs.Int(args, "--nodes", 3);
        var roundCount = BenchArgs.Int(args, "--rounds", 1);
        var cores = Environment.ProcessorCount;
        var work = Directory.CreateTempSubdirectory("registrator-bench-cluster-").FullName;
        var keep = false;
        try
        {
            await using var redis = await LocalServer.StartAsync("redis-server",
                port => ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work], CancellationToken.None);
            var monitorPort = LocalServer.FreePort();
            await using var nats = await LocalServer.StartAsync("nats-server",
                port => ["-a", "127.0.0.1", "-p", $"{port}", "-m", $"{monitorPort}"], CancellationToken.None);
            var jpegs = BenchFrames.Generate(frames).Select(f => JpegKeyframe.Encode(f, BenchFrames.Width, BenchFrames.Height, 90)).ToArray();

            var rounds = new List<Round>();
            var skipped = new List<string>();
            var sizes = Enumerable.Range(1, maxNodes).Where(n => n <= cores).ToArray();
            foreach (var n in Enumerable.Range(1, maxNodes).Where(n => n > cores))
                skipped.Add(Invariant($"{n} nodes: SKIPPED — {n} nodes pinned to their own cores need {n} cores, this machine has {cores} (nproc)."));
            // Sizes interleaved round by round: a ratio compares rounds minutes apart, not a cluster measured while the
            // machine was quiet with one measured after it got busy.
            for (var r = 1; r <= roundCount; r++)
            {
                foreach (var n in sizes)
                {
                    var cluster = new Cluster(work, n, redis.Port, nats.Port, monitorPort,
                        () => Process.GetCurrentProcess().TotalProcessorTime + nats.CpuTime() + redis.CpuTime());
                    try
                    {
                        rounds.Add(await cluster.MeasureAsync(keys, jpegs) with { Number = r });
                    }
                    catch (Exception)
                    {
                        keep = true;
                        Console.Error.WriteLine($"{n}-node round failed; node logs under {work}");
                        foreach (var node in cluster.Nodes) Console.Error.WriteLine($"--- node on core {node.Core} ({node.LogPath}):{Environment.NewLine}{node.LogTail()}");
                        throw;
                    }
                    finally
                    {
                        await cluster.DisposeAsync();
                    }
                }
            }

            Console.WriteLine($"## Cluster: {keys} keys × {frames} JPEG frames of {BenchFrames.Width}x{BenchFrames.Height} testsrc2 ({jpegs.Average(j => j.Length):N0} B each) over NATS → H.264 buffer → register → clip + keyframe → Redis");
            Console.WriteLine();
            Console.WriteLine(Invariant($"Each node: its own process, `taskset -c <i>` (one core, so one encoder), own port and media folder, HTTP off, trigger manual (BENCH_HOCON adds HOCON over it, for experiments), reorder-window at its default (1 s; a key is registered once its task holds every frame, and the register takes those still in the window); shared redis-server and nats-server; `get` per key until its frames are buffered, every {MinGetInterval.TotalMilliseconds:F0}–{MaxGetInterval.TotalMilliseconds:F0} ms (half the time its remaining frames need at its rate so far); the publisher (this process) is not pinned and shares the nodes' cores ({cores} cores here). {LoadAverage()}."));
            Console.WriteLine();
            Console.WriteLine("| round | nodes | events | wall s | events/s | ÷ 1 node | goal ≥ 0.9×N | clips per node | node CPU s (each) | node CPU s per event (all nodes) | node busy (CPU ÷ wall, each) | idle node CPU ÷ wall, each (3 s before the round) | every key's frames at its task, s | publisher + nats + redis CPU s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|---|---|---:|---|---|---:|---:|");
            foreach (var round in rounds)
            {
                var ratio = RatioToOneNode(rounds, round);
                var goal = round.Nodes == 1 ? "(reference)" : Invariant($"{Goal * round.Nodes:F1}× — {Met(ratio >= Goal * round.Nodes)}");
                Console.WriteLine(Invariant($"| {round.Number} | {round.Nodes} | {round.Events} | {round.Wall.TotalSeconds:F2} | {round.EventsPerSecond:F2} | {ratio:F2}× | {goal} | {string.Join(" / ", round.ClipsPerNode)} | {string.Join(" / ", round.CpuPerNode.Select(c => c.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)))} | {round.CpuPerNode.Sum(c => c.TotalSeconds) / round.Events:F3} | {string.Join(" / ", round.CpuPerNode.Select(c => (c / round.Wall).ToString("P0", CultureInfo.InvariantCulture)))} | {string.Join(" / ", round.IdleShare.Select(c => c.ToString("P1", CultureInfo.InvariantCulture)))} | {round.FramesHeldBy.TotalSeconds:F2} | {round.OthersCpu.TotalSeconds:F2} |"));
            }
            if (roundCount > 1)
            {
                foreach (var n in sizes.Where(n => n > 1))
                {
                    var ratios = rounds.Where(r => r.Nodes == n).Select(r => RatioToOneNode(rounds, r)).ToArray();
                    var median = Median(ratios);
                    Console.WriteLine(Invariant($"{n} nodes ÷ 1 node over {roundCount} rounds (each against its own round's 1 node): median **{median:F2}×** ({string.Join(", ", ratios.Order().Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}); goal ≥ {Goal * n:F1}× — {Met(median >= Goal * n)}."));
                }
            }
            foreach (var line in skipped) Console.WriteLine(line);
            Console.WriteLine(Invariant($"Frames published but not held by their task (late, skipped, dropped or rejected), all rounds: {Cluster.FramesNotTaken}{(Cluster.NotTakenByKind.IsEmpty ? "" : " (" + string.Join(", ", Cluster.NotTakenByKind.Select(k => $"{k.Key} {k.Value}")) + ")")}. `get` commands sent, all rounds and warm-ups: {Cluster.Gets}."));
            return 0;
        }
        finally
        {
            if (!keep) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A round's events/s over the 1-node events/s of the same round (NaN without one).</summary>
    private static double RatioToOneNode(IReadOnlyList<Round> rounds, Round round) =>
        rounds.FirstOrDefault(r => r.Nodes == 1 && r.Number == round.Number) is { } single ? round.EventsPerSecond / single.EventsPerSecond : double.NaN;

    private sealed record Round(int Nodes, int Events, TimeSpan Wall, int[] ClipsPerNode, TimeSpan[] CpuPerNode, double[] IdleShare, TimeSpan FramesHeldBy, TimeSpan OthersCpu)
    {
        /// <summary>Which of the <c>--rounds</c> this is (1-based); every size runs once per round.</summary>
        public int Number { get; init; } = 1;

        public double EventsPerSecond => Events / Wall.TotalSeconds;
    }

    /// <summary>One cluster size: its node processes, a client actor system that watches membership, and its rounds.</summary>
    private sealed class Cluster(string work, int size, int redisPort, int natsPort, int monitorPort, Func<TimeSpan> othersCpu) : IAsyncDisposable
    {
        private readonly string _folder = Path.Combine(work, $"{size}-nodes");
        private ActorSystem? _client;

        public List<NodeProcess> Nodes { get; } = [];

        public async Task<Round> MeasureAsync(int keys, byte[][] jpegs)
        {
            Directory.CreateDirectory(_folder);
            var ports = Enumerable.Range(0, size).Select(_ => LocalServer.FreePort()).ToArray();
            for (var i = 0; i < size; i++)
            {
                var config = Path.Combine(_folder, $"node-{i}.conf");
                await File.WriteAllTextAsync(config, NodeHocon(i, ports[i], ports[0]));
                Nodes.Add(NodeProcess.Start(core: i, config, Path.Combine(_folder, $"node-{i}.log")));
            }
            _client = JoinClient(ports[0]);
            await WaitUntilAsync(() => Akka.Cluster.Cluster.Get(_client).State.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(RegistratorCluster.Role)) == size,
                $"{size} registrator nodes Up");
            await WaitUntilAsync(async () => await FrameSubscribersAsync() >= size, $"{size} nodes subscribed to registrator.frames");

            await using var nats = new NatsConnection(NatsOpts.Default with { Url = $"nats://127.0.0.1:{natsPort}", Name = "bench-publisher" });
            await nats.ConnectAsync();
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisPort}");
            var events = redis.GetDatabase();
            var prefix = $"n{size}";

            // Warm-up: every node JIT-compiles the whole path and opens encoder sessions before the clock starts.
            await RoundAsync(nats, events, $"{prefix}-warm-up", 4 * size, jpegs);
            // What a node costs doing nothing (gossip, heartbeats, sharding's replicator, the bridge's connections),
            // to tell it from the work of the round.
            var idleBefore = Nodes.Select(n => n.CpuTime()).ToArray();
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(IdleSample);
            var idle = Nodes.Select((n, i) => (n.CpuTime() - idleBefore[i]) / idleClock.Elapsed).ToArray();
            var cpuBefore = Nodes.Select(n => n.CpuTime()).ToArray();
            var othersBefore = othersCpu();
            var (wall, clips, heldBy) = await RoundAsync(nats, events, prefix, keys, jpegs);
            var others = othersCpu() - othersBefore;
            var cpu = Nodes.Select((n, i) => n.CpuTime() - cpuBefore[i]).ToArray();
            return new Round(size, keys, wall, clips, cpu, idle, heldBy, others);
        }

        /// <summary>
        /// Publishes every key's frames, registers each key once its task holds them all, and waits until Redis holds
        /// every event of the round; returns the time from the first frame to the last event, the clips each node wrote,
        /// and when the last key's task held all its frames.
        /// </summary>
        private async Task<(TimeSpan Wall, int[] ClipsPerNode, TimeSpan FramesHeldBy)> RoundAsync(NatsConnection nats, IDatabase events, string prefix, int keys, byte[][] jpegs)
        {
            var names = Enumerable.Range(0, keys).Select(k => $"{prefix}-{k}").ToArray();
            var before = await events.SortedSetLengthAsync("events");
            var clipsBefore = Enumerable.Range(0, size).Select(i => ClipsIn(Path.Combine(_folder, $"media-{i}"))).ToArray();
            var clock = Stopwatch.StartNew();
            var capture = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            var flows = names.Select(key => KeyAsync(nats, key, jpegs, capture, clock)).ToArray();
            await WaitUntilAsync(async () => await events.SortedSetLengthAsync("events") >= before + keys, $"{keys} events of {prefix} in Redis", poll: TimeSpan.FromMilliseconds(5));
            var wall = clock.Elapsed;
            var heldAt = await Task.WhenAll(flows);
            return (wall, Enumerable.Range(0, size).Select(i => ClipsIn(Path.Combine(_folder, $"media-{i}")) - clipsBefore[i]).ToArray(), heldAt.Max());
        }

        private static int _framesNotTaken;
        private static int _gets;

        /// <summary>The <c>get</c> commands sent so far, all rounds and warm-ups.</summary>
        public static int Gets => _gets;

        public static int FramesNotTaken => _framesNotTaken;

        /// <summary>Publishes, waits until the task holds every frame, registers; returns when (on <paramref name="clock"/>) it held them.</summary>
        private static async Task<TimeSpan> KeyAsync(NatsConnection nats, string key, byte[][] jpegs, double capture, Stopwatch clock)
        {
            for (var f = 0; f < jpegs.Length; f++)
            {
                var headers = new NatsHeaders
                {
                    [NatsHeaderNames.TaskKey] = key,
                    [NatsHeaderNames.ContentType] = NatsHeaderNames.Jpeg,
                    [NatsHeaderNames.FrameId] = f.ToString(CultureInfo.InvariantCulture),
                    [NatsHeaderNames.FrameTime] = (capture + f / (double)BenchFrames.FramesPerSecond).ToString("F3", CultureInfo.InvariantCulture),
                };
                await nats.PublishAsync("registrator.frames", jpegs[f], headers);
            }
            // Held: every frame reached the task (encoded, at the encoder, in the reorder window, or counted as not
            // taken). The register command then takes the frames still in the window and at the encoder into its
            // cycle and waits for the event, so waiting for the window to release them would only add its 1 s.
            var deadline = DateTime.UtcNow + Patience;
            var polling = Stopwatch.StartNew();
            while (true)
            {
                var snapshot = await RequestAsync(nats, $$"""{"command":"get","key":"{{key}}"}""", TimeSpan.FromSeconds(30));
                Interlocked.Increment(ref _gets);
                var held = snapshot.TryGetProperty("frame_count", out var count)
                    ? count.GetInt32() + snapshot.GetProperty("frames_pending").GetInt32() + NotTaken(snapshot)
                    : 0;
                if (held >= jpegs.Length)
                {
                    Interlocked.Add(ref _framesNotTaken, NotTaken(snapshot));
                    foreach (var kind in NotTakenKinds)
                        if (snapshot.TryGetProperty(kind, out var n) && n.GetInt32() > 0) NotTakenByKind.AddOrUpdate(kind, n.GetInt32(), (_, sum) => sum + n.GetInt32());
                    break;
                }
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"[{key}] not buffered: {snapshot}");
                await Task.Delay(NextGet(held, jpegs.Length, polling.Elapsed));
            }
            var heldAt = clock.Elapsed;
            var registered = await RequestAsync(nats, $$$"""{"command":"register","key":"{{{key}}}","message":{"model":"bench","frame_id":"{{{jpegs.Length - 1}}}"}}""", Patience);
            if (!registered.GetProperty("ok").GetBoolean() || registered.GetProperty("error").ValueKind != JsonValueKind.Null)
                throw new InvalidOperationException($"[{key}] register failed: {registered}");
            return heldAt;
        }

        /// <summary>Half the time the key's remaining frames need at the rate its task took the first ones, within the bounds.</summary>
        private static TimeSpan NextGet(int held, int frames, TimeSpan elapsed)
        {
            if (held == 0) return MaxGetInterval;
            var remaining = elapsed * ((frames - held) / (double)held);
            return TimeSpan.FromTicks(Math.Clamp(remaining.Ticks / 2, MinGetInterval.Ticks, MaxGetInterval.Ticks));
        }

        /// <summary>Frames a task counted but does not hold: skipped, dropped, rejected (late beyond the reorder window among them).</summary>
        private static int NotTaken(JsonElement snapshot) =>
            NotTakenCounters.Sum(name => snapshot.TryGetProperty(name, out var v) ? v.GetInt32() : 0);

        /// <summary>The task's counters of frames it does not hold; a late frame is also rejected, so it counts there.</summary>
        private static readonly string[] NotTakenCounters = ["frames_skipped", "frames_dropped", "rejected"];

        /// <summary>What the run reports by counter: the late ones too, to tell them among the rejected.</summary>
        private static readonly string[] NotTakenKinds = ["frames_late", .. NotTakenCounters];

        /// <summary>Frames not taken, by the task's counter that counted them, all rounds.</summary>
        public static System.Collections.Concurrent.ConcurrentDictionary<string, int> NotTakenByKind { get; } = new();

        private static async Task<JsonElement> RequestAsync(NatsConnection nats, string json, TimeSpan timeout)
        {
            var reply = await nats.RequestAsync<byte[], byte[]>("registrator.commands", Encoding.UTF8.GetBytes(json),
                replyOpts: new NatsSubOpts { Timeout = timeout });
            using var document = JsonDocument.Parse(reply.Data ?? []);
            return document.RootElement.Clone();
        }

        private string NodeHocon(int index, int port, int seedPort) => $$"""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} }
            akka.cluster.seed-nodes = ["akka.tcp://registrator@127.0.0.1:{{seedPort}}"]
            registrator {
              media.output-path = {{JsonSerializer.Serialize(Path.Combine(_folder, $"media-{index}"))}}
              events.outbox-path = {{JsonSerializer.Serialize(Path.Combine(_folder, $"outbox-{index}"))}}
              redis { host = "127.0.0.1", port = {{redisPort}} }
              nats.servers = ["nats://127.0.0.1:{{natsPort}}"]
              http.enabled = off
              trigger.policy = manual
            }
            {{Environment.GetEnvironmentVariable("BENCH_HOCON")}}
            """;

        /// <summary>A client system (role "client") in this process, only to see the registrator members come Up.</summary>
        private static ActorSystem JoinClient(int seedPort)
        {
            // ERROR: it starts before the seed listens, and its retries are no news.
            var config = ConfigurationFactory.ParseString($$"""
                akka.loglevel = ERROR
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
                akka.cluster.seed-nodes = ["akka.tcp://registrator@127.0.0.1:{{seedPort}}"]
                """).WithFallback(RegistratorCluster.ClientConfig).WithFallback(DistributedPubSub.DefaultConfig());
            return ActorSystem.Create("registrator", config);
        }

        /// <summary>Connections that subscribe to registrator.frames, from nats-server's monitoring endpoint.</summary>
        private async Task<int> FrameSubscribersAsync()
        {
            using var http = new HttpClient();
            var connz = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{monitorPort}/connz?subs=1");
            return connz.GetProperty("connections").EnumerateArray().Count(c =>
                c.TryGetProperty("subscriptions_list", out var subs) && subs.EnumerateArray().Any(s => s.GetString() == "registrator.frames"));
        }

        private static int ClipsIn(string folder) =>
            Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.mp4", SearchOption.AllDirectories).Count() : 0;

        private Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

        private async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? poll = null)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!await condition())
            {
                if (Nodes.FirstOrDefault(n => n.HasExited) is { } exited) throw new InvalidOperationException($"the node on core {exited.Core} exited while waiting for {what}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {what} within {Patience.TotalSeconds:F0} s");
                await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_client is not null) await _client.Terminate();
            // All at once: each stops with CoordinatedShutdown; one by one would hand shards from node to node.
            await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }
}
