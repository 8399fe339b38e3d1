using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Node.DemoRun;
using StackExchange.Redis;

namespace Registrator.Node;

/// <summary>
/// The end-to-end demo behind <c>./build.sh --target=Demo</c>: starts redis-server and nats-server on loopback, makes
/// a sample clip with moving objects, starts a two-node cluster whose nodes both list the clip as two cameras (each read by one node of the cluster), publishes
/// inference results over NATS as a detector would, waits for the registered events, prints them with ffprobe's
/// summary of each clip, and stops everything it started.
/// </summary>
public static class Demo
{
    private static readonly string[] Cameras = ["demo/entrance", "demo/parking"];
    private const int EventsPerCamera = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var work = Directory.CreateTempSubdirectory("registrator-demo-").FullName;
        void Say(string line) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}s] {line}");
        try
        {
            Say($"working folder {work}");
            await using var redis = await LocalServer.StartAsync("redis-server",
                port => ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work], cancellation);
            await using var nats = await LocalServer.StartAsync("nats-server", port => ["-a", "127.0.0.1", "-p", $"{port}"], cancellation);
            Say($"redis-server on 127.0.0.1:{redis.Port}, nats-server on 127.0.0.1:{nats.Port}");

            var clip = Path.Combine(work, "camera.mp4");
            await MakeSampleClipAsync(clip, cancellation);
            Say($"sample camera clip (ffmpeg testsrc2, moving objects): {clip}");

            var seedPort = LocalServer.FreePort();
            var nodes = new List<IHost>();
            for (var i = 0; i < Cameras.Length; i++)
            {
                var node = NodeHost.Build(NodeConfig(i, i == 0 ? seedPort : LocalServer.FreePort(), seedPort, work, clip, redis.Port, nats.Port),
                    logging => logging.SetMinimumLevel(LogLevel.Warning));
                await node.StartAsync(cancellation);
                nodes.Add(node);
            }
            try
            {
                await WaitForClusterAsync(nodes, cancellation);
                Say($"two-node cluster up: akka.tcp://{NodeHost.SystemName}@127.0.0.1:{seedPort} and one more; both list both cameras, each camera is read by one node");
                return await DetectAndReportAsync(work, redis.Port, nats.Port, Say, output, cancellation);
            }
            finally
            {
                foreach (var node in Enumerable.Reverse(nodes))
                {
                    await node.StopAsync(CancellationToken.None);
                    node.Dispose();
                }
                Say("nodes stopped");
            }
        }
        finally
        {
            Say("servers stopped");
            // Keep the clips and keyframes for watching; the rest (server data, outboxes, the sample) goes.
            foreach (var entry in Directory.EnumerateFileSystemEntries(work).Where(e => Path.GetFileName(e) != "media"))
            {
                try
                {
                    if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                    else File.Delete(entry);
                }
                catch (IOException) { }
            }
            Say($"clips and keyframes kept under {Path.Combine(work, "media")}");
        }
    }

    private static async Task<int> DetectAndReportAsync(
        string work, int redisPort, int natsPort, Action<string> say, TextWriter output, CancellationToken cancellation)
    {
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = $"nats://127.0.0.1:{natsPort}", Name = "demo-detector" });
        await connection.ConnectAsync();

        var events = new List<JsonElement>();
        var eventsLock = new object();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var listener = Task.Run(async () =>
        {
            await foreach (var message in connection.SubscribeAsync<byte[]>("registrator.events", cancellationToken: stop.Token))
            {
                lock (eventsLock) events.Add(JsonDocument.Parse(message.Data!).RootElement.Clone());
            }
        }, stop.Token);

        var detector = Task.Run(() => PublishDetectionsAsync(connection, stop.Token), stop.Token);
        say($"detector publishing inference results for {string.Join(", ", Cameras)} on inference.results at 10 Hz (about 40% detections)");

        var wanted = Cameras.Length * EventsPerCamera;
        var deadline = DateTime.UtcNow + Patience;
        var reported = -1;
        while (true)
        {
            int count;
            lock (eventsLock) count = events.Count;
            if (count != reported)
            {
                say($"waiting for registered events: {count}/{wanted}");
                reported = count;
            }
            if (count >= wanted) break;
            if (DateTime.UtcNow > deadline)
            {
                say($"FAILED: only {count} of {wanted} events within {Patience.TotalSeconds:F0} s");
                await stop.CancelAsync();
                return 1;
            }
            await Task.Delay(250, cancellation);
        }
        await stop.CancelAsync();
        try { await Task.WhenAll(listener, detector); } catch (OperationCanceledException) { }

        var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisPort}");
        var inRedis = await redis.GetDatabase().SortedSetLengthAsync("events");
        output.WriteLine();
        output.WriteLine($"Registered events (sorted set 'events' in Redis holds {inRedis}):");
        JsonElement[] snapshot;
        lock (eventsLock) snapshot = [.. events];
        var failures = 0;
        foreach (var member in snapshot.Take(wanted))
        {
            var entry = member.EnumerateObject().First();
            var task = entry.Value;
            var time = DateTimeOffset.FromUnixTimeMilliseconds((long)(task.GetProperty("timestamp").GetDouble() * 1000));
            var video = task.GetProperty("video_proofs").GetString();
            var image = task.GetProperty("image_proof_path").GetString();
            var summary = video is null ? "no clip: " + task.GetProperty("error").GetString() : await FfprobeSummaryAsync(video, cancellation);
            if (video is null || !File.Exists(video) || image is null || !File.Exists(image)) failures++;
            output.WriteLine($"  {entry.Name,-14} {time:HH:mm:ss.fff}  clip {video}");
            output.WriteLine($"  {"",-14} {"",-12}  keyframe {image}");
            output.WriteLine($"  {"",-14} {"",-12}  ffprobe: {summary}");
        }
        await redis.CloseAsync();
        output.WriteLine();
        if (failures > 0)
        {
            say($"FAILED: {failures} events without their files");
            return 1;
        }
        say("demo finished: every event has its H.264 clip and JPEG keyframe, and its record in Redis");
        return 0;
    }

    /// <summary>A detector's output as the Python module's schema, per camera, ten times a second.</summary>
    private static async Task PublishDetectionsAsync(NatsConnection connection, CancellationToken cancellation)
    {
        var random = new Random(42);
        var frame = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(cancellation))
        {
            frame++;
            foreach (var camera in Cameras)
            {
                var score = random.NextDouble() < 0.4 ? 0.6 + 0.39 * random.NextDouble() : 0.3 * random.NextDouble();
                var json = string.Create(CultureInfo.InvariantCulture,
                    $$"""{"key":{{JsonSerializer.Serialize(camera)}},"model":"demo-detector","result":{"boxes":[[{{100 + frame % 200}},120,{{180 + frame % 200}},260]],"scores":[{{score:F3}}],"class_ids":[0]},"frame_id":"{{frame}}"}""");
                await connection.PublishAsync("inference.results", Encoding.UTF8.GetBytes(json), cancellationToken: cancellation);
            }
        }
    }

    private static Akka.Configuration.Config NodeConfig(int index, int port, int seedPort, string work, string clip, int redisPort, int natsPort) =>
        RegistratorConfig.Load($$"""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} }
            akka.cluster.seed-nodes = ["akka.tcp://{{NodeHost.SystemName}}@127.0.0.1:{{seedPort}}"]
            # The demo's registrations take milliseconds; a node's shutdown need not wait the product's bound (5m25s)
            # for them. The last node to stop may otherwise sit out that bound when the cameras' shard coordinator
            # stops answering during its shutdown.
            akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 15s
            registrator {
              media.output-path = {{JsonSerializer.Serialize(Path.Combine(work, "media"))}}
              media.pool-size = 1
              redis { host = "127.0.0.1", port = {{redisPort}} }
              events.outbox-path = {{JsonSerializer.Serialize(Path.Combine(work, $"outbox-{index}"))}}
              nats.servers = ["nats://127.0.0.1:{{natsPort}}"]
              http.enabled = off
              cameras = [ {{string.Join(", ", Cameras.Select(camera => $"{{ key = {JsonSerializer.Serialize(camera)}, source = {JsonSerializer.Serialize(clip)}, fps = 10, loop = on }}"))}} ]
            }
            """, new Hashtable());

    private static async Task WaitForClusterAsync(IReadOnlyList<IHost> nodes, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var node in nodes)
        {
            var cluster = Cluster.Get(node.Services.GetRequiredService<Akka.Actor.ActorSystem>());
            while (cluster.State.Members.Count(m => m.Status == MemberStatus.Up) < nodes.Count)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("the demo cluster did not form within 30 s");
                await Task.Delay(100, cancellation);
            }
        }
    }

    private static async Task MakeSampleClipAsync(string path, CancellationToken cancellation)
    {
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
            ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=10", "-t", "20",
             "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", path])) ?? throw new InvalidOperationException("ffmpeg not found");
        await ffmpeg.WaitForExitAsync(cancellation);
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the sample clip (exit {ffmpeg.ExitCode})");
    }

    private static async Task<string> FfprobeSummaryAsync(string clip, CancellationToken cancellation)
    {
        var info = new ProcessStartInfo("ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
             "stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames", "-of", "default=noprint_wrappers=1"])
        { RedirectStandardOutput = true };
        info.ArgumentList.Add(clip);
        using var ffprobe = Process.Start(info)!;
        var text = await ffprobe.StandardOutput.ReadToEndAsync(cancellation);
        await ffprobe.WaitForExitAsync(cancellation);
        var fields = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        string F(string name) => fields.GetValueOrDefault(name, "?");
        return $"{F("codec_name")} {F("pix_fmt")} {F("width")}x{F("height")} {F("r_frame_rate")} fps, {F("nb_read_frames")} frames";
    }
}
