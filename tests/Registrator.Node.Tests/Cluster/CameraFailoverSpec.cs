using System.Diagnostics;
using System.Text.Json;
using Registrator.Node.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Cluster;

/// <summary>
/// A HOCON camera (a video file, looping) listed by both node processes is read by one of them at a time; when that node
/// gets SIGTERM the other starts reading it and the same task goes on filling: its frame count keeps growing after the
/// reader left, and the event registered then holds frames from before and after.
/// </summary>
public sealed class CameraFailoverSpec(ITestOutputHelper output)
{
    private const int FramesAfter = 20;

    [Fact]
    public async Task The_other_node_reads_the_camera_into_the_same_task_when_its_reader_is_stopped()
    {
        await using var cluster = await ProcessCluster.StartAsync(output);
        var video = cluster.PathOf("camera.mp4");
        ExternalProcess.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-t", "10",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10", video);
        var key = $"camera-{Guid.NewGuid():N}"[..20];
        var nodes = cluster.AddNodes(2);
        foreach (var node in nodes)
        {
            // The whole run's frames stay in one cycle: no GOP dropped for max-frames while the test counts them.
            node.ExtraHocon = $$"""
                registrator.task.max-frames = 5000
                registrator.cameras = [ { key = {{JsonSerializer.Serialize(key)}}, source = {{JsonSerializer.Serialize(video)}}, fps = 10 } ]
                """;
            await cluster.StartAsync(node);
        }
        var readingLine = $"camera {key}: reading";

        await Poll.UntilAsync(async () => Assert.True(await FrameCountAsync(nodes[0], key) >= 20), TimeSpan.FromSeconds(60));
        var readers = nodes.Where(n => n.ReadLog().Contains(readingLine, StringComparison.Ordinal)).ToArray();
        var reader = Assert.Single(readers);
        var other = nodes.Single(n => n != reader);

        var stopping = await reader.TerminateAsync();
        var clock = Stopwatch.StartNew();
        var before = await FrameCountAsync(other, key);
        await Poll.UntilAsync(async () => Assert.True(await FrameCountAsync(other, key) >= before + FramesAfter,
            $"frames {await FrameCountAsync(other, key)}, {before} when the reader stopped"), TimeSpan.FromSeconds(60));
        Assert.Contains(readingLine, other.ReadLog(), StringComparison.Ordinal);
        output.WriteLine($"reader {reader.Name}: SIGTERM to exit {stopping.TotalSeconds:F1} s; {FramesAfter} more frames from {other.Name} "
            + $"{clock.Elapsed.TotalSeconds:F1} s after it exited ({before} frames before)");

        var reply = await cluster.CommandAsync("register", key, """{"model":"yolo"}""");
        Assert.True(reply.GetProperty("ok").GetBoolean() && reply.GetProperty("error").ValueKind == JsonValueKind.Null, $"register: {reply}");
        var eventId = reply.GetProperty("event_id").GetString()!;
        Assert.Single(await cluster.EventsInRedisAsync(), e => e.EventId == eventId && e.Key == key);
        var clip = await cluster.DownloadClipAsync(other, eventId);
        Assert.True(FfmpegCli.Probe(clip).FramesRead >= before + FramesAfter, $"the clip has {FfmpegCli.Probe(clip).FramesRead} frames");
    }

    private static async Task<int> FrameCountAsync(NodeProcess via, string key) =>
        (await HeldTasks.SnapshotAsync(via, key)).GetProperty("frame_count").GetInt32();
}
