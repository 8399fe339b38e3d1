using System.Diagnostics;
using Registrator.Node.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Cluster;

/// <summary>
/// A rolling restart of a two-node cluster of real node processes, as an operator rolls out a new build: each node in
/// turn gets SIGTERM, exits, starts again with the same configuration and folders and is Up before the next goes.
/// </summary>
public sealed class RollingRestartSpec(ITestOutputHelper output)
{
    private const int Tasks = 8;
    private const int FramesPerStep = 10;

    /// <summary>
    /// Tasks hold frames and statuses sent before each step (more arrive between the steps); afterwards every task
    /// registers one event whose clip holds every frame, in capture order.
    /// </summary>
    [Fact]
    public async Task Tasks_keep_every_frame_and_status_through_a_rolling_restart_of_both_nodes()
    {
        await using var cluster = await ProcessCluster.StartAsync(output);
        var nodes = cluster.AddNodes(2);
        var (first, second) = (nodes[0], nodes[1]);
        await cluster.StartAsync(first);
        await cluster.StartAsync(second);
        var tasks = HeldTasks.Create(cluster, Tasks, "rolling");

        await tasks.FeedAsync(FramesPerStep);
        await tasks.AwaitHeldAsync(second);
        // Both nodes host some of the tasks, so each restart moves tasks that hold frames.
        Assert.True(await first.MetricAsync("registrator_tasks_active") > 0, "node 1 hosts no task");
        Assert.True(await second.MetricAsync("registrator_tasks_active") > 0, "node 2 hosts no task");

        foreach (var node in nodes)
        {
            var stopping = await node.TerminateAsync();
            Assert.Equal(0, node.LastExitCode);
            var clock = Stopwatch.StartNew();
            await cluster.StartAsync(node);
            output.WriteLine($"{node.Name}: SIGTERM to exit {stopping.TotalSeconds:F1} s with {Tasks} tasks of {tasks.FramesSent} frames; start to ready {clock.Elapsed.TotalSeconds:F1} s");
            var other = nodes.Single(n => n != node);
            await tasks.AwaitHeldAsync(node);
            await tasks.FeedAsync(FramesPerStep);
            await tasks.AwaitHeldAsync(other);
        }

        await tasks.RegisterAndVerifyAsync(first);
    }

    /// <summary>
    /// Cameras do not pause for a rolling restart: frames and results keep arriving at 10 per second per task while
    /// each node in turn stops and starts. Whatever NATS handed the stopping node reaches its task (the node drains its
    /// subscriptions before its shards hand off), what a region drops during a hand-off is sent back through it
    /// (HandOffRedelivery), and whatever the tasks held moves with them: every status published
    /// is in its task; every frame is in the task and in its clip, in capture order, or was counted late. Late frames
    /// happen: while a shard moves, its messages wait in both nodes' regions and reach the next incarnation in two
    /// bursts, and a frame more than reorder-window older than the newest one is rejected by design.
    /// </summary>
    [Fact]
    public async Task Frames_and_results_published_during_a_rolling_restart_are_kept_or_counted_late()
    {
        await using var cluster = await ProcessCluster.StartAsync(output);
        var nodes = cluster.AddNodes(2);
        foreach (var node in nodes) await cluster.StartAsync(node);
        var tasks = HeldTasks.Create(cluster, Tasks, "live");
        await tasks.FeedAsync(FramesPerStep);
        await tasks.AwaitHeldAsync(nodes[0]);

        using var stop = new CancellationTokenSource();
        // At most 256 numbered frames in all (they are told apart by 8 bits): about 24 s of live feed.
        var feeding = tasks.FeedLiveAsync(256 - FramesPerStep, stop.Token);
        foreach (var node in nodes)
        {
            var stopping = await node.TerminateAsync();
            Assert.Equal(0, node.LastExitCode);
            await cluster.StartAsync(node);
            output.WriteLine($"{node.Name}: SIGTERM to exit {stopping.TotalSeconds:F1} s while {Tasks} cameras publish; {tasks.FramesSent} frames each so far");
        }
        stop.Cancel();
        var live = await feeding;

        await tasks.AwaitHeldAsync(nodes[1], lateAllowed: true);
        var late = await tasks.RegisterAndVerifyAsync(nodes[0], lateAllowed: true);
        output.WriteLine($"{live} frames per task published during the restarts; late per task: {string.Join(", ", late.Values)}");
    }
}
