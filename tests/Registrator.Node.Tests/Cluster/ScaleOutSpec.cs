using System.Diagnostics;
using Registrator.Node.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Cluster;

/// <summary>
/// One node process holding tasks, two more joining (sharding's defaults: the coordinator rebalances shards onto them,
/// a few every rebalance-interval), then both leaving again with SIGTERM: the tasks move node to node with their frames
/// and statuses, and every one registers one event whose clip holds every frame, in capture order.
/// </summary>
public sealed class ScaleOutSpec(ITestOutputHelper output)
{
    private const int Tasks = 8;
    private const int FramesPerStep = 10;

    [Fact]
    public async Task Tasks_keep_every_frame_and_status_when_the_cluster_grows_from_one_to_three_nodes_and_shrinks_back()
    {
        await using var cluster = await ProcessCluster.StartAsync(output);
        var nodes = cluster.AddNodes(3);
        var (first, joiners) = (nodes[0], nodes.Skip(1).ToArray());
        await cluster.StartAsync(first);
        var tasks = HeldTasks.Create(cluster, Tasks, "scale");
        await tasks.FeedAsync(FramesPerStep);
        await tasks.AwaitHeldAsync(first);
        Assert.Equal(Tasks, await first.MetricAsync("registrator_tasks_active"));

        foreach (var node in joiners) await cluster.StartAsync(node);
        // A rebalanced shard starts again where the next message for it goes: the snapshots keep asking, and check.
        var clock = Stopwatch.StartNew();
        await Poll.UntilAsync(async () =>
        {
            foreach (var key in tasks.Keys) tasks.AssertHolds(await HeldTasks.SnapshotAsync(first, key));
            foreach (var node in joiners)
                Assert.True(await node.MetricAsync("registrator_tasks_active") > 0, $"{node.Name} hosts no task yet");
        }, TimeSpan.FromSeconds(90));
        output.WriteLine($"1 -> 3 nodes: both new nodes host tasks {clock.Elapsed.TotalSeconds:F1} s after they were Up; "
            + $"tasks per node {string.Join(" / ", await Task.WhenAll(nodes.Select(n => n.MetricAsync("registrator_tasks_active"))))}");

        await tasks.FeedAsync(FramesPerStep);
        await tasks.AwaitHeldAsync(joiners[0]);

        foreach (var node in joiners.Reverse())
        {
            var stopping = await node.TerminateAsync();
            Assert.Equal(0, node.LastExitCode);
            output.WriteLine($"{node.Name}: SIGTERM to exit {stopping.TotalSeconds:F1} s");
        }
        await tasks.AwaitHeldAsync(first);
        Assert.Equal(Tasks, await first.MetricAsync("registrator_tasks_active"));
        await tasks.FeedAsync(FramesPerStep);
        await tasks.AwaitHeldAsync(first);

        await tasks.RegisterAndVerifyAsync(first);
    }
}
