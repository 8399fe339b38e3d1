using System.Collections;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Integration.Tests.Support;

/// <summary>
/// A single-node registrator cluster with the product's configuration (hocon/registrator.conf, no environment), a
/// fresh output folder, and no event store: a task then answers a registration's requester itself
/// (<see cref="TaskEvents.EventRegistered"/>) and publishes the event on the system's event stream (the trigger's
/// events too). <see cref="StartPipeline"/> starts a real encoder pool (libx264 in process) and a task region with
/// the settings a test asks for, so every test runs the frames → packets → clip path the product runs.
/// </summary>
public abstract class PipelineSpec : TestKit
{
    /// <summary>Capture times of the tests start here (Unix seconds, 2026-11-30), as a camera's clock would.</summary>
    protected const double CaptureEpoch = 1_796_000_000.0;

    private const string NodeHocon = """
        akka.loglevel = INFO
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster.roles = ["registrator"]
        akka.cluster.leader-actions-interval = 100ms
        akka.cluster.gossip-interval = 200ms
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.test.single-expect-default = 30s
        registrator.trigger.policy = manual
        registrator.media.pool-size = 2
        """;

    private readonly TempDirectory _temp;
    private int _pipelines;

    protected PipelineSpec(ITestOutputHelper output, string hocon = "") : this(new TempDirectory(), output, hocon)
    {
    }

    private PipelineSpec(TempDirectory temp, ITestOutputHelper output, string hocon)
        : base(NodeConfig(temp, hocon), output: output)
    {
        _temp = temp;
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
        Settings = RegistratorSettings.From(Sys);
    }

    /// <summary>The node's settings as loaded; <see cref="StartPipeline"/> may adjust them per test.</summary>
    protected RegistratorSettings Settings { get; }

    /// <summary>registrator.media.output-path: clips land in <c>&lt;OutputPath&gt;/&lt;uuid&gt;/</c>.</summary>
    protected string OutputPath => _temp.Combine("media");

    /// <summary>
    /// A real encoder pool and a task region (its own shard type name) on this node, with the node's settings as
    /// <paramref name="adjust"/> changes them, sharing <paramref name="budget"/> (default: a fresh one of
    /// max-buffer-bytes) among the region's tasks.
    /// </summary>
    protected Pipeline StartPipeline(Func<RegistratorSettings, RegistratorSettings>? adjust = null, FrameMemoryBudget? budget = null)
    {
        var settings = adjust is null ? Settings : adjust(Settings);
        var n = Interlocked.Increment(ref _pipelines);
        var encoders = EncoderPool.Start(Sys, settings.Media, $"encoders-{n}");
        budget ??= new FrameMemoryBudget(settings.Task.MaxBufferBytes);
        var region = TaskSharding.StartRegion(Sys, settings, new TaskDependencies(budget, encoders, ActorRefs.Nobody), $"task-{n}");
        return new Pipeline(region, budget, settings);
    }

    /// <summary>Settings with another GOP length (<c>registrator.media.keyint</c>).</summary>
    protected static RegistratorSettings WithKeyint(RegistratorSettings s, int keyint) =>
        s with { Media = s.Media with { Encoder = s.Media.Encoder with { Keyint = keyint } } };

    /// <summary>Settings with the window trigger on (<c>registrator.trigger.policy = window</c>).</summary>
    protected static RegistratorSettings WithWindowTrigger(RegistratorSettings s, int window = 30, double ratio = 0.3) =>
        s with { Task = s.Task with { Trigger = s.Task.Trigger with { Window = true, WindowSize = window, Ratio = ratio } } };

    /// <summary>The task's snapshot, asked through the region.</summary>
    protected static async Task<TaskReplies.TaskSnapshot> SnapshotAsync(IActorRef region, string key) =>
        await region.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask(key), TimeSpan.FromSeconds(10));

    /// <summary>Waits until every frame the task received is a packet in its buffer (none in the reorder window or at the encoder).</summary>
    protected async Task<TaskReplies.TaskSnapshot> SettledAsync(IActorRef region, string key)
    {
        TaskReplies.TaskSnapshot? snapshot = null;
        await AwaitAssertAsync(async () =>
        {
            snapshot = await SnapshotAsync(region, key);
            Assert.Equal(0, snapshot.FramesPending);
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        return snapshot!;
    }

    /// <summary>A BGR24 frame of <see cref="NumberedFrames"/> size for <paramref name="key"/>, captured at <see cref="CaptureEpoch"/> + <paramref name="seconds"/>.</summary>
    protected static AddFrame Frame(string key, byte[] pixels, double? seconds, string? frameId = null, int width = NumberedFrames.Width, int height = NumberedFrames.Height) =>
        new(key, width, height, pixels, frameId, seconds is { } s ? CaptureEpoch + s : null);

    /// <summary>Receives <paramref name="count"/> replies on the test actor and fails on any <see cref="TaskReplies.Rejected"/>.</summary>
    protected void ExpectAccepted(int count)
    {
        var replies = ReceiveN(count, TimeSpan.FromSeconds(30));
        var rejected = replies.OfType<TaskReplies.Rejected>().ToList();
        Assert.True(rejected.Count == 0, $"{rejected.Count} of {count} commands rejected, first: {rejected.FirstOrDefault()}");
        Assert.All(replies, r => Assert.IsType<TaskReplies.Accepted>(r));
    }

    /// <summary>A registration message whose <c>frame_id</c> picks the keyframe.</summary>
    protected static string Message(string frameId) =>
        $$"""{"model":"YOLOModel","result":{"boxes":[[10,10,40,40]],"scores":[0.9],"class_ids":[0]},"frame_id":{{JsonSerializer.Serialize(frameId)}}}""";

    /// <summary>Asserts the event has a clip under <see cref="OutputPath"/> and returns it.</summary>
    protected string ClipOf(TaskEvents.EventRegistered registered)
    {
        Assert.Null(registered.Error);
        Assert.NotNull(registered.VideoPath);
        Assert.Equal(Path.Combine(OutputPath, $"{registered.EventId}", $"{registered.EventId}.mp4"), registered.VideoPath);
        Assert.True(File.Exists(registered.VideoPath), registered.VideoPath);
        Assert.True(File.Exists(registered.ImagePath), registered.ImagePath);
        return registered.VideoPath!;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _temp.Dispose();
    }

    private static Config NodeConfig(TempDirectory temp, string hocon) => RegistratorConfig.Load($$"""
        {{NodeHocon}}
        registrator.media.output-path = {{JsonSerializer.Serialize(temp.Combine("media"))}}
        {{hocon}}
        """, environment: new Hashtable());
}

/// <summary>A started task region, its node budget and the settings it runs with.</summary>
public sealed record Pipeline(IActorRef Region, FrameMemoryBudget Budget, RegistratorSettings Settings);
