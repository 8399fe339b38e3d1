using System.Diagnostics;
using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.EventStore;
using Registrator.Contracts;
using Registrator.Demo;
using Registrator.Media;
using static Registrator.Benchmarks.BenchStats;

namespace Registrator.Benchmarks;

/// <summary>
/// RegisterTask → EventRegistered latency of tasks whose frames are already H.264 packets. For 30 and 300 frames,
/// K (default 20) tasks buffer that many 640×480 testsrc2 frames through the real encoder pool; then each is
/// registered in turn (nothing else running) and timed from the Ask to its EventRegistered: the cycle's packets go to
/// the key's encoder, are muxed into the MP4, the JPEG keyframe is written, and the task (no event store, the default)
/// or the event store and a real redis-server (<c>--redis</c>) answers. References from the same run: ClipWriter alone
/// on the same packets (what the actors add), and encoding the raw frames at registration time with one session and
/// then muxing (what buffering packets saves). One clip of each size is checked with ffprobe.
/// </summary>
internal static class RegisterLatencyBenchmark
{
    private static readonly int[] Sizes = [30, 300];
    private static readonly Dictionary<int, double> GoalMs = new() { [30] = 30, [300] = 100 };
    private const int EncodeRuns = 3;

    public static async Task<int> Run(string[] args)
    {
        var tasks = BenchArgs.Int(args, "--tasks", 20);
        var withRedis = BenchArgs.Flag(args, "--redis");
        var work = Directory.CreateTempSubdirectory("registrator-bench-register-").FullName;
        try
        {
            await using var redis = withRedis
                ? await LocalServer.StartAsync("redis-server",
                    port => ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work], CancellationToken.None)
                : null;
            var pixels = BenchFrames.Generate(Sizes.Max());
            var hocon = BenchFrames.NodeHocon(Path.Combine(work, "media"), Sizes.Max());
            if (redis is not null)
                hocon += $$"""

                    registrator.events.outbox-path = "{{work}}/outbox"
                    registrator.redis { host = "127.0.0.1", port = {{redis.Port}} }
                    """;
            using var node = BenchCluster.StartNode(hocon);
            var settings = RegistratorSettings.From(node);
            var encoders = EncoderPool.Start(node, settings.Media);
            var store = redis is null
                ? ActorRefs.Nobody
                : node.ActorOf(EventStoreActor.Props(settings.Events, settings.Redis, settings.Media.OutputPath), EventStoreActor.DefaultName);
            var region = BenchCluster.StartRegion(node, encoders, store);

            // Warm-up: sessions, the muxer, the JPEG encoder and the whole path compiled.
            await MeasureAsync(region, "warm-up", 2, pixels[..30], Path.Combine(work, "direct"));

            var rows = new List<Row>();
            var failed = false;
            foreach (var size in Sizes)
            {
                var frames = pixels[..size];
                var (latencies, direct, registered) = await MeasureAsync(region, $"register-{size}", tasks, frames, Path.Combine(work, "direct"));
                var probed = BenchFrames.ProbeFrameCount(registered[0].VideoPath!);
                var jpeg = File.Exists(registered[0].ImagePath);
                failed |= probed != size || !jpeg;
                rows.Add(new Row(size, latencies, direct,
                    EncodeAtRegistration(frames, Path.Combine(work, "encode")), registered[0].VideoPath!, probed, jpeg));
            }
            await node.Terminate();
            Print(rows, tasks, settings.Media.PoolSize, redis is not null);
            return failed ? 1 : 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Buffers <paramref name="frames"/> in each of <paramref name="tasks"/> tasks, then registers them one at a time;
    /// after each registration ClipWriter alone writes the same clip from a session's packets of the same frames, so
    /// both see the same machine.
    /// </summary>
    private static async Task<(List<double> Ms, List<double> DirectMs, List<TaskEvents.EventRegistered> Registered)> MeasureAsync(
        IActorRef region, string prefix, int tasks, byte[][] frames, string directRoot)
    {
        var keys = Enumerable.Range(0, tasks).Select(i => $"{prefix}-{i}").ToArray();
        await Task.WhenAll(keys.Select(key => BenchFrames.BufferAsync(region, key, frames)));
        var snapshots = await BenchFrames.WaitBufferedAsync(region, keys, frames.Length);
        if (snapshots.FirstOrDefault(s => s.FrameCount != frames.Length) is { } incomplete)
            throw new InvalidOperationException($"[{incomplete.TaskKey}] buffered {incomplete.FrameCount} of {frames.Length} frames");
        var packets = BenchFrames.EncodeDirect(frames);
        WriteDirect(packets, frames, directRoot); // warm-up

        var latencies = new List<double>();
        var direct = new List<double>();
        var registered = new List<TaskEvents.EventRegistered>();
        foreach (var key in keys)
        {
            var started = Stopwatch.GetTimestamp();
            var reply = await region.Ask<object>(new TaskCommands.RegisterTask(key, """{"model":"bench"}"""), TimeSpan.FromMinutes(2));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (reply is not TaskEvents.EventRegistered { Error: null, VideoPath: not null } ok)
                throw new InvalidOperationException($"[{key}] registration failed: {reply}");
            registered.Add(ok);
            direct.Add(WriteDirect(packets, frames, directRoot));
        }
        return (latencies, direct, registered);
    }

    /// <summary>ClipWriter alone, keyframe pixels at hand as the encoder has them; milliseconds.</summary>
    private static double WriteDirect(List<EncodedPacket> packets, byte[][] frames, string root)
    {
        var started = Stopwatch.GetTimestamp();
        ClipWriter.Write(new PacketClipRequest(Guid.NewGuid(), BenchFrames.Width, BenchFrames.Height, packets, frames.Length - 1, frames[^1], root), BenchFrames.Options);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>What a registration costs when the buffer holds raw frames: one session encodes them all, then ClipWriter muxes.</summary>
    private static List<double> EncodeAtRegistration(byte[][] frames, string root)
    {
        var times = new List<double>();
        for (var run = 0; run < EncodeRuns; run++)
        {
            var started = Stopwatch.GetTimestamp();
            var packets = BenchFrames.EncodeDirect(frames);
            WriteDirect(packets, frames, root);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return times;
    }

    private static void Print(List<Row> rows, int tasks, int poolSize, bool redis)
    {
        var answerer = redis ? "event store → redis-server" : "the task itself (no event store)";
        Console.WriteLine($"## RegisterTask → EventRegistered latency, {tasks} tasks per size, {BenchFrames.Width}x{BenchFrames.Height} testsrc2 buffered as H.264 packets (encoder pool of {poolSize}; answered by {answerer})");
        Console.WriteLine();
        Console.WriteLine($"Registrations one at a time after every task has buffered its frames; keyframe = the last frame; {LoadAverage()}. References in the same run:");
        Console.WriteLine(Invariant($"ClipWriter.Write alone on the same packets (after each registration, {tasks} runs after 1 warm-up), and encode-at-registration = one H264Session over the raw frames + ClipWriter ({EncodeRuns} runs)."));
        Console.WriteLine();
        Console.WriteLine("| frames | register p50 ms | register max ms | ClipWriter alone p50 ms | register ÷ ClipWriter | encode-at-registration p50 ms | register ÷ encode-at-registration | ffprobe frames |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            Console.WriteLine(Invariant(
                $"| {row.Frames} | {row.P50:F1} | {row.Max:F1} | {row.DirectP50:F1} | {row.P50 / row.DirectP50:F2}× | {row.EncodeP50:F0} | {row.P50 / row.EncodeP50:F3}× | {row.Probed}{(row.Jpeg ? "" : " (no JPEG!)")} |"));
        }
        Console.WriteLine();
        Console.WriteLine(Invariant($"goal p50: ≤ {GoalMs[30]} ms at 30 frames, ≤ {GoalMs[300]} ms at 300 frames"));
        foreach (var row in rows)
            Console.WriteLine(Invariant($"- {row.Frames} frames: p50 {row.P50:F1} ms vs ≤ {GoalMs[row.Frames]} ms — {Met(row.P50 <= GoalMs[row.Frames])}; clip checked: {Path.GetFileName(row.CheckedClip)}, {row.Probed} frames"));
    }

    private sealed record Row(int Frames, List<double> Latencies, List<double> Direct, List<double> Encode, string CheckedClip, int Probed, bool Jpeg)
    {
        public double P50 => Median(Latencies);
        public double Max => Latencies.Max();
        public double DirectP50 => Median(Direct);
        public double EncodeP50 => Median(Encode);
    }
}
