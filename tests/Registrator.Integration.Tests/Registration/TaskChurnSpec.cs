using System.Diagnostics;
using System.Globalization;
using Registrator.Actors.Metrics;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Integration.Tests.Registration;

/// <summary>
/// Many short-lived tasks (a task per detection, as a detection pipeline makes them): create, a few frames, register,
/// delete, a thousand times, with real x264 sessions and real clips. Neither managed nor native memory may grow with
/// the number of tasks that have come and gone, and no encoder session may outlive its task.
/// Runs alone (its own non-parallel collection), so other tests' allocations do not show in its VmRSS readings.
/// </summary>
[Collection(MemoryMeasurement.Name)]
public sealed class TaskChurnSpec(ITestOutputHelper output) : PipelineSpec(output, "akka.loglevel = WARNING")
{
    private const int W = 64;
    private const int H = 48;

    [Fact]
    public async Task A_thousand_create_register_delete_cycles_keep_memory_flat_and_close_every_encoder_session()
    {
        const int cycles = 1000, warmUp = 200, framesPerCycle = 5, keys = 16;
        var frames = Enumerable.Range(0, framesPerCycle).Select(i => NumberedFrames.One(i, W, H)).ToList();
        var pipeline = StartPipeline();
        var metrics = RegistratorMetrics.For(Sys);
        var clock = Stopwatch.StartNew();
        long rssAfterWarmUp = 0;

        for (var cycle = 1; cycle <= cycles; cycle++)
        {
            // Keys come back: each cycle after the 16th is a new incarnation of a key deleted before.
            var key = $"churn-{cycle % keys}";
            pipeline.Region.Tell(new CreateTask(key), TestActor);
            for (var i = 0; i < framesPerCycle; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}", W, H), TestActor);
            pipeline.Region.Tell(new RegisterTask(key, Message("f2")), TestActor);
            ExpectAccepted(1 + framesPerCycle);
            var registered = ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(30));
            Assert.Null(registered.Error);
            Assert.True(File.Exists(registered.VideoPath) && File.Exists(registered.ImagePath), $"cycle {cycle}: files missing");
            Directory.Delete(Path.GetDirectoryName(registered.VideoPath!)!, recursive: true);
            pipeline.Region.Tell(new DeleteTask(key), TestActor);
            Assert.Equal(TaskState.None, ExpectMsg<TaskReplies.Accepted>().State);

            if (cycle % warmUp != 0 || cycle == cycles) continue;
            var rss = await QuiescentRssAsync(metrics);
            if (cycle == warmUp) rssAfterWarmUp = rss;
            Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after {cycle} cycles ({clock.Elapsed.TotalSeconds:F1} s): VmRSS {rss / 1048576.0:F1} MiB"));
        }
        var rssAtEnd = await QuiescentRssAsync(metrics);

        var growth = rssAtEnd - rssAfterWarmUp;
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{cycles} cycles in {clock.Elapsed.TotalSeconds:F1} s; VmRSS {rssAfterWarmUp / 1048576.0:F1} MiB after {warmUp}, {rssAtEnd / 1048576.0:F1} MiB after {cycles} ({growth / 1048576.0:+0.0;-0.0} MiB)"));
        Assert.True(growth < 40L * 1024 * 1024, $"VmRSS grew by {growth / 1048576.0:F1} MiB over {cycles - warmUp} cycles");
        Assert.Equal(0, pipeline.Budget.UsedBytes);
    }

    /// <summary>Once every deleted task has stopped and closed its session: VmRSS after a full collection, in bytes.</summary>
    private async Task<long> QuiescentRssAsync(RegistratorMetrics metrics)
    {
        await AwaitAssertAsync(() =>
        {
            Assert.Equal(0L, NodeGauges.Read(metrics, "registrator.encoder.sessions"));
            Assert.Equal(0L, NodeGauges.Read(metrics, "registrator.encoder.session_memory"));
            Assert.Equal(0L, NodeGauges.Read(metrics, "registrator.tasks.active"));
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>Tests that read the process's memory: run after the parallel tests, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    public const string Name = "memory measurement";
}
