using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.EventStore;
using Registrator.Contracts;
using Registrator.Demo;
using Registrator.Media;

namespace Registrator.Benchmarks;

/// <summary>
/// Registrations end to end on one node: 20 tasks × 30 frames of 640×480 (ffmpeg testsrc2) are buffered (encoded to
/// H.264 packets as they arrive), then all 20 RegisterTask at once → the encoder pool muxes each clip and writes its
/// JPEG → event store → a real redis-server; the clock stops when the last EventRegistered arrives (Redis has
/// confirmed every event). Reports events per second and CPU seconds per event, then writes the same 20 clips from
/// the same packets with ClipWriter alone (same pool width) to tell the muxer's share of that CPU.
/// </summary>
internal static class RegistrationBenchmark
{
    public static async Task<int> Run(string[] args)
    {
        var tasks = BenchArgs.Int(args, "--tasks", 20);
        var frames = BenchArgs.Int(args, "--frames", 30);
        // libx264 preset of the clips' encoder; the Python module's PyAV default is medium.
        var preset = BenchArgs.Text(args, "--preset");
        var work = Directory.CreateTempSubdirectory("registrator-bench-events-").FullName;
        try
        {
            await using var redis = await LocalServer.StartAsync("redis-server",
                port => ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work], CancellationToken.None);
            var clipFrames = BenchFrames.Generate(frames);

            using var node = BenchCluster.StartNode(BenchFrames.NodeHocon($"{work}/media", frames) + (preset is null ? "" : $"\nregistrator.media.preset = {preset}") + $$"""

                registrator.events.outbox-path = "{{work}}/outbox"
                registrator.redis { host = "127.0.0.1", port = {{redis.Port}} }
                """);
            var settings = RegistratorSettings.From(node);
            var encoders = EncoderPool.Start(node, settings.Media);
            var store = node.ActorOf(EventStoreActor.Props(settings.Events, settings.Redis, settings.Media.OutputPath), EventStoreActor.DefaultName);
            var region = BenchCluster.StartRegion(node, encoders, store);

            await RoundAsync(region, "warm-up", 2, clipFrames);
            var (wall, cpu) = await RoundAsync(region, "bench", tasks, clipFrames);
            var muxCpu = ClipWriterOnly(settings.Media with { OutputPath = Path.Combine(work, "clip-writer-only") }, tasks, clipFrames);
            await node.Terminate();

            var perEvent = cpu.TotalSeconds / tasks;
            var muxPerEvent = muxCpu.TotalSeconds / tasks;
            Console.WriteLine($"## Registration end to end: {tasks} tasks × {frames} frames of {BenchFrames.Width}x{BenchFrames.Height} buffered as H.264 (preset {settings.Media.Encoder.Preset}), RegisterTask → mux + JPEG → Redis (encoder pool of {settings.Media.PoolSize})");
            Console.WriteLine();
            Console.WriteLine("| events | wall s | events/s | CPU s per event | ClipWriter CPU s per event | ClipWriter share |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {tasks} | {wall.TotalSeconds:F3} | {tasks / wall.TotalSeconds:F1} | {perEvent:F4} | {muxPerEvent:F4} | {muxPerEvent / perEvent:P0} |"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Buffers the frames of every task until they are all packets, then registers all of them and waits for every EventRegistered.</summary>
    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> RoundAsync(IActorRef region, string prefix, int tasks, byte[][] frames)
    {
        var keys = Enumerable.Range(0, tasks).Select(i => $"{prefix}-{i}").ToArray();
        await Task.WhenAll(keys.Select(key => BenchFrames.BufferAsync(region, key, frames)));
        await BenchFrames.WaitBufferedAsync(region, keys, frames.Length);

        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var replies = await Task.WhenAll(keys.Select(key =>
            region.Ask<object>(new TaskCommands.RegisterTask(key, """{"model":"bench"}"""), TimeSpan.FromMinutes(5))));
        clock.Stop();
        process.Refresh();
        if (replies.FirstOrDefault(r => r is not TaskEvents.EventRegistered { Error: null }) is { } failed)
            throw new InvalidOperationException("a registration failed: " + failed);
        return (clock.Elapsed, process.TotalProcessorTime - cpuBefore);
    }

    /// <summary>CPU of the same clips written by ClipWriter alone from the same packets, as many at once as the pool has encoders.</summary>
    private static TimeSpan ClipWriterOnly(MediaSettings media, int tasks, byte[][] frames)
    {
        var packets = BenchFrames.EncodeDirect(frames);
        Write(2); // warm-up: Parallel.For and the thread pool's threads
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        Write(tasks);
        process.Refresh();
        return process.TotalProcessorTime - cpuBefore;

        void Write(int clips) => Parallel.For(0, clips, new ParallelOptions { MaxDegreeOfParallelism = media.PoolSize }, _ =>
        {
            var request = new PacketClipRequest(Guid.NewGuid(), BenchFrames.Width, BenchFrames.Height, packets, frames.Length - 1, frames[^1], media.OutputPath);
            ClipWriter.Write(request, media.Encoder);
        });
    }
}
