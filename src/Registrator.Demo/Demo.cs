using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Node;
using StackExchange.Redis;

namespace Registrator.Demo;

/// <summary>
/// The end-to-end demo behind <c>./build.sh --target=Demo</c>: starts redis-server and nats-server on loopback, makes
/// a sample clip in which an object crosses the picture (4 s to 11 s of every 20 s), starts a two-node cluster whose
/// nodes both list the clip as two cameras (each read by one node of the cluster), publishes inference results over
/// NATS as a detector would (detections while the object is in view), waits for an incident of the <c>span</c> camera
/// (its announcement, then its one event) and two events of the <c>window</c> camera, prints them with ffprobe's
/// summary of each clip, and stops everything it started.
/// </summary>
public static class Demo
{
    /// <summary>Registers one event per incident (<c>span</c>, through a trigger override); the other keeps the default <c>window</c>.</summary>
    private const string SpanCamera = "demo/entrance";
    private const string WindowCamera = "demo/parking";
    private static readonly string[] Cameras = [SpanCamera, WindowCamera];
    private const int WindowEvents = 2;
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
            Say($"sample camera clip (ffmpeg testsrc2, a red object in view from {SampleObject.Enters:F0} s to {SampleObject.Leaves:F0} s of its {SampleObject.LoopSeconds:F0} s): {clip}");

            var seedPort = LocalServer.FreePort();
            var nodes = new List<IHost>();
            IReadOnlyList<CameraSettings> cameras = [];
            for (var i = 0; i < Cameras.Length; i++)
            {
                var config = NodeConfig(i, i == 0 ? seedPort : LocalServer.FreePort(), seedPort, work, clip, redis.Port, nats.Port);
                cameras = RegistratorSettings.From(config).Cameras;
                var node = NodeHost.Build(config, logging => logging.SetMinimumLevel(LogLevel.Warning));
                await node.StartAsync(cancellation);
                nodes.Add(node);
            }
            try
            {
                await WaitForClusterAsync(nodes, cancellation);
                Say($"two-node cluster up: akka.tcp://{NodeHost.SystemName}@127.0.0.1:{seedPort} and one more; both list both cameras, each camera is read by one node");
                var incidents = new System.Collections.Concurrent.ConcurrentQueue<SeenIncident>();
                foreach (var node in nodes) IncidentListeners.Start(node.Services.GetRequiredService<Akka.Actor.ActorSystem>(), incidents);
                var systems = nodes.Select(n => n.Services.GetRequiredService<ActorSystem>()).ToList();
                var starts = await CameraPlacement.WaitSpreadAsync(systems, cameras,
                    TimeSpan.FromSeconds(60), cancellation);
                Say("each node reads one camera");
                return await DetectAndReportAsync(redis.Port, nats.Port, starts, incidents, Say, output, cancellation);
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

    private static async Task<int> DetectAndReportAsync(int redisPort, int natsPort, IReadOnlyDictionary<string, DateTimeOffset> starts,
        System.Collections.Concurrent.ConcurrentQueue<SeenIncident> incidents, Action<string> say, TextWriter output, CancellationToken cancellation)
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

        // The detector follows each camera's own clip time, from when its reader started on the node that reads it.
        var detector = Task.Run(() => PublishDetectionsAsync(connection, starts, stop.Token), stop.Token);
        say($"detector publishing inference results for {string.Join(", ", Cameras)} on inference.results at 10 Hz: detections while the object is in view (4 s to 11 s of every 20 s)");
        say($"{SpanCamera}: policy span (registrator.trigger.overrides: window 10, pre-roll 3s, post-roll 2s), one event per incident; {WindowCamera}: policy window (30 statuses, ratio 0.3)");

        (JsonElement Span, SeenIncident Started)? incident = null;
        List<JsonElement> windowEvents = [];
        var deadline = DateTime.UtcNow + Patience;
        var reported = "";
        while (true)
        {
            JsonElement[] seen;
            lock (eventsLock) seen = [.. events];
            windowEvents = [.. seen.Where(e => KeyOf(e) == WindowCamera).Take(WindowEvents)];
            var span = seen.Where(e => KeyOf(e) == SpanCamera).Select(e => (JsonElement?)e).FirstOrDefault();
            if (span is { } found && incidents.FirstOrDefault(i => i.Started.EventId.ToString("D") == Field(found, "event_id")) is { } started)
                incident = (found, started);
            var progress = $"announced incidents {incidents.Count}, span events {(incident is null ? 0 : 1)}/1, window events {windowEvents.Count}/{WindowEvents}";
            if (progress != reported)
            {
                say($"waiting: {progress}");
                reported = progress;
            }
            if (incident is not null && windowEvents.Count >= WindowEvents) break;
            if (DateTime.UtcNow > deadline)
            {
                say($"FAILED: {progress} within {Patience.TotalSeconds:F0} s");
                await stop.CancelAsync();
                return 1;
            }
            await Task.Delay(250, cancellation);
        }
        await stop.CancelAsync();
        try { await Task.WhenAll(listener, detector); } catch (OperationCanceledException) { }

        var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisPort}");
        var inRedis = await redis.GetDatabase().SortedSetLengthAsync("events");
        await redis.CloseAsync();
        output.WriteLine();
        output.WriteLine($"Registered events (sorted set 'events' in Redis holds {inRedis}):");
        var failures = 0;
        var (incidentEvent, announcement) = incident!.Value;
        var body = incidentEvent.EnumerateObject().First().Value;
        var (start, end) = (body.GetProperty("start").GetDouble(), body.GetProperty("end").GetDouble());
        var recordedAt = body.GetProperty("timestamp").GetDouble();
        output.WriteLine($"  {SpanCamera,-14} span incident {Clock(start)} → {Clock(end)} ({end - start:F1} s of capture time), event {Field(incidentEvent, "event_id")}");
        output.WriteLine($"  {"",-14} started: announced at {announcement.At:HH:mm:ss.fff}, {recordedAt - announcement.At.ToUnixTimeMilliseconds() / 1000.0:F1} s before its event; keyframe {(announcement.KeyframeOnDisk ? "on disk" : "MISSING")} then: {announcement.KeyframePath}");
        output.WriteLine($"  {"",-14} {announcement.Started.Json}");
        if (!announcement.KeyframeOnDisk) failures++;
        failures += await PrintFilesAsync(output, body, cancellation);
        foreach (var member in windowEvents)
        {
            var task = member.EnumerateObject().First().Value;
            output.WriteLine($"  {WindowCamera,-14} window event  {Clock(task.GetProperty("timestamp").GetDouble())}, event {Field(member, "event_id")}");
            failures += await PrintFilesAsync(output, task, cancellation);
        }
        output.WriteLine();
        if (failures > 0)
        {
            say($"FAILED: {failures} events without their files");
            return 1;
        }
        say("demo finished: the span camera's incident was announced with its keyframe and recorded as one event with its pre-roll clip; every event has its H.264 clip, JPEG keyframe and record in Redis");
        return 0;
    }

    private static string? KeyOf(JsonElement member) => member.EnumerateObject().Select(p => p.Name).FirstOrDefault();

    private static string? Field(JsonElement member, string name) =>
        member.EnumerateObject().First().Value.TryGetProperty(name, out var value) ? value.ToString() : null;

    private static string Clock(double unixSeconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)(unixSeconds * 1000)).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>Prints an event's clip and keyframe (with ffprobe's summary); 1 when a file is missing.</summary>
    private static async Task<int> PrintFilesAsync(TextWriter output, JsonElement task, CancellationToken cancellation)
    {
        var video = task.GetProperty("video_proofs").GetString();
        var image = task.GetProperty("image_proof_path").GetString();
        var summary = video is null ? "no clip: " + task.GetProperty("error").GetString() : await FfprobeSummaryAsync(video, cancellation);
        output.WriteLine($"  {"",-14} clip {video}");
        output.WriteLine($"  {"",-14} keyframe {image}");
        output.WriteLine($"  {"",-14} ffprobe: {summary}");
        return video is null || !File.Exists(video) || image is null || !File.Exists(image) ? 1 : 0;
    }

    /// <summary>
    /// A detector's output in the Python module's schema, per camera, ten times a second: while the sample's object is in
    /// view, a detection (score 0.6..0.99, nine times in ten) with its box in the frame's pixels; otherwise a low score
    /// (and a rare false detection).
    /// </summary>
    private static async Task PublishDetectionsAsync(NatsConnection connection, IReadOnlyDictionary<string, DateTimeOffset> starts, CancellationToken cancellation)
    {
        var random = new Random(42);
        var frame = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(cancellation))
        {
            frame++;
            foreach (var camera in Cameras)
            {
                var clipTime = (DateTimeOffset.UtcNow - starts[camera]).TotalSeconds;
                var inView = SampleObject.InView(clipTime);
                var detected = inView ? random.NextDouble() < 0.9 : random.NextDouble() < 0.03;
                var score = detected ? 0.6 + 0.39 * random.NextDouble() : 0.3 * random.NextDouble();
                var (x1, y1, x2, y2) = inView ? SampleObject.Box(clipTime) : (100 + frame % 200, 120, 180 + frame % 200, 260);
                var json = string.Create(CultureInfo.InvariantCulture,
                    $$"""{"key":{{JsonSerializer.Serialize(camera)}},"model":"demo-detector","result":{"boxes":[[{{x1}},{{y1}},{{x2}},{{y2}}]],"scores":[{{score:F3}}],"class_ids":[0]},"frame_id":"{{frame}}"}""");
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
              # The entrance camera registers one event per incident, with its own window and rolls.
              trigger.overrides = [ { keys = {{JsonSerializer.Serialize(SpanCamera)}}, policy = span, window = 10, pre-roll = 3s, post-roll = 2s } ]
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
            ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=10",
             "-f", "lavfi", "-i", $"color=c=red:s={SampleObject.Size}x{SampleObject.Size}:r=10", "-filter_complex", SampleObject.Filter, "-t", "20",
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
