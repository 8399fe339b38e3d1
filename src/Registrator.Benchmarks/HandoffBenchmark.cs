using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Redis;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Demo;
using Registrator.Media;
using StackExchange.Redis;
using static Registrator.Benchmarks.BenchStats;

namespace Registrator.Benchmarks;

/// <summary>
/// A graceful leave with full buffers: 100 tasks (--tasks) each hold 30 s (--seconds) of 640×480 testsrc2 at the clips'
/// 10 fps (registrator.media.fps) as H.264 packets from the real encoder pool, on the first of two nodes (separate actor
/// systems in this process, own ports and media folders, one real redis-server, sharding defaults). The second node
/// joins, then the first runs CoordinatedShutdown (leave, shard hand-off, as on SIGTERM): each task writes its state to
/// Redis (<see cref="TaskHandoff"/>) and its next incarnation on the second node takes it. Per task: the time from the
/// start of the leave until the task answers GetTask from the second node (the answer's sender is local there) with
/// every frame; p50/p90/max, the time until all have, and the bytes of state per task that went to Redis.
/// Node 1's encoder answers each task's frames with the packets one <see cref="H264Session"/> made of the same frames
/// once (the pool's own bytes: README "Benchmarks", buffer), so 100 × 300 frames buffer in seconds instead of minutes
/// on a busy 2-core machine; <c>--encode</c> sends every frame through node 1's real encoder pool instead.
/// </summary>
internal static class HandoffBenchmark
{
    /// <summary>Pause between two GetTask of one task; the figures are late by up to this much.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task<int> Run(string[] args)
    {
        var tasks = BenchArgs.Int(args, "--tasks", 100);
        var seconds = BenchArgs.Int(args, "--seconds", 30);
        var encode = BenchArgs.Flag(args, "--encode");
        var work = Directory.CreateTempSubdirectory("registrator-bench-handoff-").FullName;
        try
        {
            await using var redisServer = await LocalServer.StartAsync("redis-server",
                port => ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work], CancellationToken.None);
            // The clips' frame rate of the node's configuration: a 30 s buffer is 30 × fps frames, and max-frames holds them.
            var fps = RegistratorSettings.From(RegistratorConfig.Load("", new System.Collections.Hashtable())).Media.Encoder.FramesPerSecond;
            var framesPerTask = seconds * fps;
            string Hocon(int n) => BenchFrames.NodeHocon(Path.Combine(work, $"media-{n}"), framesPerTask) + $$"""

                registrator.events.outbox-path = "{{work}}/outbox-{{n}}"
                registrator.redis { host = "127.0.0.1", port = {{redisServer.Port}} }
                """;

            using var first = BenchCluster.StartNode(Hocon(1));
            var settings = RegistratorSettings.From(first);
            var pixels = BenchFrames.Generate(framesPerTask);
            using var firstRedis = new RedisConnection(settings.Redis);
            var encodeDirect = Stopwatch.StartNew();
            var packets = encode ? [] : BenchFrames.EncodeDirect(pixels);
            encodeDirect.Stop();
            var firstEncoder = encode ? EncoderPool.Start(first, settings.Media) : first.ActorOf(Props.Create(() => new ReplayEncoder(packets)));
            var firstRegion = BenchCluster.StartRegion(first, firstEncoder, ActorRefs.Nobody,
                new TaskHandoff(firstRedis, settings.Task.StateTtl));

            var keys = Enumerable.Range(0, tasks).Select(i => $"handoff-{i}").ToArray();
            var buffering = Stopwatch.StartNew();
            await Task.WhenAll(keys.Select(key => BenchFrames.BufferAsync(firstRegion, key, pixels)));
            var snapshots = await BenchFrames.WaitBufferedAsync(firstRegion, keys, framesPerTask);
            buffering.Stop();
            if (snapshots.FirstOrDefault(s => s.FrameCount != framesPerTask) is { } incomplete)
                throw new InvalidOperationException($"[{incomplete.TaskKey}] holds {incomplete.FrameCount} of {framesPerTask} frames before the leave");
            var packetBytes = snapshots.Average(s => (double)s.BufferedBytes);

            using var second = BenchCluster.JoinNode(first, Hocon(2));
            using var secondRedis = new RedisConnection(RegistratorSettings.From(second).Redis);
            var secondRegion = BenchCluster.StartRegion(second, EncoderPool.Start(second, settings.Media), ActorRefs.Nobody,
                new TaskHandoff(secondRedis, settings.Task.StateTtl));
            await WaitMembersUpAsync(first, 2);
            await WaitMembersUpAsync(second, 2);
            var movedEarly = await ShardsHostedAsync(secondRegion);

            await using var stats = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisServer.Port},allowAdmin=true");
            var inputBefore = await NetInputBytesAsync(stats);
            var clock = Stopwatch.StartNew();
            var answered = keys.Select(key =>
            {
                var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
                second.ActorOf(Props.Create(() => new HandedOverProbe(secondRegion, key, framesPerTask, clock, done)));
                return done.Task;
            }).ToArray();
            var leaving = CoordinatedShutdown.Get(first).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);

            var all = Task.WhenAll(answered);
            if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromMinutes(2))) != all)
                throw new TimeoutException($"{answered.Count(a => !a.IsCompleted)} of {tasks} tasks had not answered from the second node with {framesPerTask} frames within 2 minutes");
            var times = (await all).Select(t => t.TotalMilliseconds).ToArray();
            var allAnswered = clock.Elapsed;
            await leaving.WaitAsync(TimeSpan.FromMinutes(1));
            var left = clock.Elapsed;
            var stateBytes = (await NetInputBytesAsync(stats) - inputBefore) / (double)tasks;
            var hostedAfter = await ShardsHostedAsync(secondRegion);

            Console.WriteLine($"## Hand-off on a graceful leave: {tasks} tasks × {framesPerTask} frames ({seconds} s at {settings.Media.Encoder.FramesPerSecond} fps, the clips' registrator.media.fps) of {BenchFrames.Width}x{BenchFrames.Height} testsrc2 as H.264, node 1 → node 2 through Redis");
            Console.WriteLine();
            Console.WriteLine(encode
                ? Invariant($"Buffered on node 1 in {buffering.Elapsed.TotalSeconds:F1} s ({tasks * framesPerTask / buffering.Elapsed.TotalSeconds:F0} frames/s through the encoder pool of {settings.Media.PoolSize}, --encode); {LoadAverage()}.")
                : Invariant($"Buffered on node 1 in {buffering.Elapsed.TotalSeconds:F1} s, every task's packets those of one H264Session over the same {framesPerTask} frames ({encodeDirect.Elapsed.TotalSeconds:F1} s; --encode for the pool); {LoadAverage()}."));
            Console.WriteLine(Invariant($"Shards already on node 2 when the leave started (rebalancing is on): {movedEarly}; on node 2 after: {hostedAfter}. GetTask every {PollInterval.TotalMilliseconds:F0} ms per task."));
            Console.WriteLine();
            Console.WriteLine("| tasks | frames per task | p50 ms | p90 ms | max ms | all answered from node 2, s | node 1 left (CoordinatedShutdown done), s | packets per task | state to Redis per task |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(Invariant($"| {tasks} | {framesPerTask} | {Median(times):F0} | {Percentile(times, 0.9):F0} | {times.Max():F0} | {allAnswered.TotalSeconds:F2} | {left.TotalSeconds:F2} | {packetBytes:N0} B | {stateBytes:N0} B |"));
            Console.WriteLine();
            Console.WriteLine("state to Redis per task = redis-server's total_net_input_bytes over the hand-off ÷ tasks (the SET of each TaskData/1 value, its GETDEL and the protocol around them).");
            await second.Terminate();
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task WaitMembersUpAsync(ActorSystem system, int members)
    {
        var cluster = Cluster.Get(system);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (cluster.State.Members.Count(m => m.Status == MemberStatus.Up) < members)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{cluster.SelfAddress} does not see {members} members Up");
            await Task.Delay(50);
        }
    }

    private static async Task<int> ShardsHostedAsync(IActorRef region) =>
        (await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10))).Shards.Count;

    private static async Task<long> NetInputBytesAsync(ConnectionMultiplexer redis)
    {
        var info = (string?)await redis.GetDatabase().ExecuteAsync("INFO", "stats") ?? "";
        var line = info.Split('\n').First(l => l.StartsWith("total_net_input_bytes:", StringComparison.Ordinal));
        return long.Parse(line["total_net_input_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Node 1's encoder: answers a task's frame at pts p with packet p of one session over the same frames, as the pool would.</summary>
    private sealed class ReplayEncoder : ReceiveActor
    {
        public ReplayEncoder(IReadOnlyList<EncodedPacket> packets)
        {
            Receive<EncodeFrame>(frame =>
            {
                var packet = packets[(int)(frame.Pts % packets.Count)];
                Sender.Tell(new FrameEncoded(frame.Cycle, packet with { Pts = frame.Pts }, frame.FrameId));
            });
            Receive<CloseSession>(_ => { });
        }
    }

    /// <summary>
    /// Asks one task through the second node's region until the answer comes from an incarnation on that node (the
    /// sender's address is local) holding every frame; answers from the first node, before its shard moved, do not count.
    /// A GetTask that reaches an incarnation busy saving its state is not answered, so an unanswered one is sent again.
    /// </summary>
    private sealed class HandedOverProbe : ReceiveActor, IWithTimers
    {
        private sealed class Poll
        {
            public static readonly Poll Instance = new();
            private Poll() { }
        }

        private static readonly TimeSpan Unanswered = TimeSpan.FromMilliseconds(250);
        private readonly IActorRef _region;
        private readonly string _key;

        public HandedOverProbe(IActorRef region, string key, int frames, Stopwatch clock, TaskCompletionSource<TimeSpan> done)
        {
            _region = region;
            _key = key;
            Receive<TaskReplies.TaskSnapshot>(snapshot =>
            {
                if (Sender.Path.Address.HasLocalScope && snapshot.FrameCount == frames)
                {
                    done.TrySetResult(clock.Elapsed);
                    Context.Stop(Self);
                    return;
                }
                Timers.StartSingleTimer(Poll.Instance, Poll.Instance, PollInterval);
            });
            Receive<Poll>(_ => Ask());
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Ask();

        private void Ask()
        {
            _region.Tell(new TaskQueries.GetTask(_key));
            Timers.StartSingleTimer(Poll.Instance, Poll.Instance, Unanswered);
        }
    }
}
