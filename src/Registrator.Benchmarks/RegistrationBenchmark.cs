using System.Collections;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Events;
using Registrator.Contracts;
using Registrator.Media;
using Registrator.Node.DemoRun;

namespace Registrator.Benchmarks;

/// <summary>
/// Registrations end to end on one node: 20 tasks × 30 frames of 640×480 (ffmpeg testsrc2) are buffered, then all 20
/// RegisterTask at once → encoder pool → event store → a real redis-server; the clock stops when the last
/// EventRegistered arrives (Redis has confirmed every event). Reports events per second and CPU seconds per event, then
/// encodes the same 20 clips with ClipWriter alone (same pool width) to tell the encoder's share of that CPU.
/// </summary>
internal static class RegistrationBenchmark
{
    private const int Width = 640, Height = 480;

    public static async Task<int> Run(string[] args)
    {
        var tasks = RemoteFramesBenchmark.Option(args, "--tasks", 20);
        var frames = RemoteFramesBenchmark.Option(args, "--frames", 30);
        var work = Directory.CreateTempSubdirectory("registrator-bench-events-").FullName;
        try
        {
            await using var redis = await LocalServer.StartAsync("redis-server",
                port => ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work], CancellationToken.None);
            var pixels = MediaEncodeBenchmark.GenerateTestSource(frames);
            var frameBytes = Width * Height * 3;
            var clipFrames = Enumerable.Range(0, frames).Select(i => pixels.AsSpan(i * frameBytes, frameBytes).ToArray()).ToArray();

            using var node = BenchCluster.StartNode($$"""
                registrator.media.output-path = "{{work}}/media"
                registrator.events.outbox-path = "{{work}}/outbox"
                registrator.redis { host = "127.0.0.1", port = {{redis.Port}} }
                """);
            var settings = RegistratorSettings.From(node);
            var encoders = EncoderPool.Start(node, settings.Media);
            var store = node.ActorOf(EventStoreActor.Props(settings.Events, settings.Redis, settings.Media.OutputPath), EventStoreActor.DefaultName);
            var region = BenchCluster.StartRegion(node, encoders, store);

            await RoundAsync(region, "warm-up", 2, clipFrames);
            var (wall, cpu) = await RoundAsync(region, "bench", tasks, clipFrames);
            var encoderCpu = EncoderOnly(settings.Media with { OutputPath = Path.Combine(work, "encoder-only") }, tasks, clipFrames);
            await node.Terminate();

            var perEvent = cpu.TotalSeconds / tasks;
            var encoderPerEvent = encoderCpu.TotalSeconds / tasks;
            Console.WriteLine($"## Registration end to end: {tasks} tasks × {frames} frames of {Width}x{Height}, RegisterTask → encode → Redis (encoder pool of {settings.Media.PoolSize})");
            Console.WriteLine();
            Console.WriteLine("| events | wall s | events/s | CPU s per event | encoder CPU s per event | encoder share |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {tasks} | {wall.TotalSeconds:F2} | {tasks / wall.TotalSeconds:F1} | {perEvent:F3} | {encoderPerEvent:F3} | {encoderPerEvent / perEvent:P0} |"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Buffers the frames of every task, then registers all of them and waits for every EventRegistered.</summary>
    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> RoundAsync(IActorRef region, string prefix, int tasks, byte[][] frames)
    {
        var keys = Enumerable.Range(0, tasks).Select(i => $"{prefix}-{i}").ToArray();
        foreach (var key in keys)
            for (var f = 0; f < frames.Length; f++)
                await region.Ask<TaskReplies.Accepted>(new TaskCommands.AddFrame(key, Width, Height, frames[f], $"{f}"), TimeSpan.FromSeconds(30));

        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var registered = await Task.WhenAll(keys.Select(key =>
            region.Ask<TaskEvents.EventRegistered>(new TaskCommands.RegisterTask(key, """{"model":"bench"}"""), TimeSpan.FromMinutes(5))));
        clock.Stop();
        process.Refresh();
        if (registered.Any(r => r.Error is not null)) throw new InvalidOperationException("a registration failed: " + registered.First(r => r.Error is not null).Error);
        return (clock.Elapsed, process.TotalProcessorTime - cpuBefore);
    }

    /// <summary>CPU of the same clips written by ClipWriter alone, as many at once as the pool has encoders.</summary>
    private static TimeSpan EncoderOnly(MediaSettings media, int tasks, byte[][] frames)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = media.PoolSize }, _ =>
        {
            var request = new ClipRequest(Guid.NewGuid(), Width, Height, frames.Select(f => new BgrFrame(f)).ToArray(), null, media.OutputPath);
            ClipWriter.Write(request, media.Encoder);
        });
        process.Refresh();
        return process.TotalProcessorTime - cpuBefore;
    }
}
