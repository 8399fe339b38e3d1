using Registrator.Node.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Cluster;

/// <summary>
/// Both node processes' NATS bridges subscribe to <c>registrator.frames</c> in one queue group, so the server spreads one
/// camera's frames over them; each goes on to the key's one task by its own path. The task puts them back in capture
/// order (Frame-Time) in its reorder window: the clip plays every frame in the order it was captured.
/// </summary>
public sealed class SplitFramesSpec(ITestOutputHelper output)
{
    private const int Frames = 40;
    private const string FramesSeries = "subject=\"registrator.frames\"";

    [Fact]
    public async Task Frames_of_one_key_spread_over_both_nodes_bridges_make_a_clip_in_capture_order()
    {
        await using var cluster = await ProcessCluster.StartAsync(output);
        var nodes = cluster.AddNodes(2);
        foreach (var node in nodes) await cluster.StartAsync(node);
        var camera = HeldTasks.Create(cluster, 1, "split");

        // At the camera's rate (a burst of seconds of video at once would outrun the reorder window on the slower
        // path: frames older than the newest by more than the window are late), and out of order too (1, 0, 3, 2, ...):
        // arrival order is never what orders a clip.
        await camera.FeedAsync(Frames, swapPairs: true, interval: TimeSpan.FromSeconds(0.1));
        await camera.AwaitHeldAsync(nodes[1]);

        var received = await Task.WhenAll(nodes.Select(n => n.MetricAsync("registrator_nats_messages_total", FramesSeries)));
        output.WriteLine($"frames received per bridge: {string.Join(" / ", received)}");
        Assert.Equal(Frames, received.Sum());
        Assert.All(received, count => Assert.True(count > 0, $"one bridge received all {Frames} frames: {string.Join(" / ", received)}"));

        await camera.RegisterAndVerifyAsync(nodes[0]);
    }
}
