using System.Collections;
using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Actors.Tests.Support;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests;

/// <summary>
/// A real single-node cluster (joined to itself and awaited Up) with the product's configuration, hosting a fresh
/// shard type per test. Two ways to run the encoder:
/// <list type="bullet">
/// <item><see cref="Region"/> uses an <see cref="EncoderDouble"/>: every frame comes back at once as a small fake packet,
/// and every clip the task asks for reaches the <see cref="Encoder"/> probe, so the test decides how it turns out
/// (<see cref="BeginRegistration"/>, <see cref="RequestedClip"/>). Session closes reach <see cref="ClosedSessions"/>,
/// copies of the frames sent to the encoder <see cref="EncoderFrames"/>.</item>
/// <item><see cref="StartEncoderPool"/> starts the node's real encoder pool (the machine's FFmpeg) writing into a fresh
/// folder of the test's own; pass it to <see cref="StartRegion"/> for specs that check clips.</item>
/// </list>
/// Frames from <see cref="Frame"/> carry capture times 1/10 s apart per key and the reorder window is off
/// (<c>reorder-window = 0s</c>), so each frame goes to the encoder as it arrives; specs of reordering turn it back on.
/// </summary>
public abstract class ShardedTaskSpec : TestKit
{
    /// <summary>The message <see cref="Register"/> sends unless told otherwise.</summary>
    protected const string DefaultMessage = """{"model":"yolo"}""";

    /// <summary>The capture time of a key's first frame from <see cref="Frame"/> (Unix seconds, 2026).</summary>
    protected const double FirstCaptureTime = 1_796_000_000;

    private const string TestHocon = """
        akka.loglevel = INFO
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster.roles = ["registrator"]
        akka.cluster.min-nr-of-members = 1
        akka.test.single-expect-default = 10s
        # Registration only when a test asks for it; TaskTriggerSpec turns the window policy back on.
        registrator.trigger.policy = manual
        # Frames go to the encoder as they arrive; specs of reordering turn the window back on.
        registrator.task.reorder-window = 0s
        # Every protocol message goes through our serializer even on one node: nothing unserializable slips through.
        akka.actor.serialize-messages = on
        # A single-node test cluster: move members Up quickly, and skip the graceful-leave dance on shutdown.
        akka.cluster.leader-actions-interval = 100ms
        akka.cluster.gossip-interval = 200ms
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.cluster.sharding.retry-interval = 200ms
        """;

    // Frames per key so far, for capture times that follow each other by 1/10 s (keys are fresh per test).
    private static readonly ConcurrentDictionary<string, int> FramesSent = new(StringComparer.Ordinal);

    private readonly List<string> _folders = [];

    protected ShardedTaskSpec(ITestOutputHelper output, string hocon = "")
        : base(RegistratorConfig.Load(TestHocon + "\n" + hocon, environment: new Hashtable()), output: output)
    {
        Settings = RegistratorSettings.From(Sys);
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
        Encoder = CreateTestProbe("encoder");
        ClosedSessions = CreateTestProbe("closed-sessions");
        EncoderFrames = CreateTestProbe("encoder-frames");
        FakeEncoder = Sys.ActorOf(
            EncoderDouble.Props(Settings.Media.Encoder.EffectiveKeyint, Encoder.Ref, ClosedSessions.Ref, EncoderFrames.Ref),
            "encoder-double");
        Budget = new FrameMemoryBudget(Settings.Task.MaxBufferBytes);
        Region = StartRegion(FakeEncoder);
    }

    protected RegistratorSettings Settings { get; }

    /// <summary>Receives the <see cref="WriteClip"/>s of <see cref="Region"/>'s tasks; its <c>LastSender</c> is the task.</summary>
    protected TestProbe Encoder { get; }

    /// <summary>Receives the <see cref="CloseSession"/>s of <see cref="Region"/>'s tasks (passivation, deletion, hand-off).</summary>
    protected TestProbe ClosedSessions { get; }

    /// <summary>Receives a copy of every <see cref="EncodeFrame"/> <see cref="Region"/>'s tasks send: pixels, frame id, pts, cycle.</summary>
    protected TestProbe EncoderFrames { get; }

    /// <summary>The encoder of <see cref="Region"/>.</summary>
    protected IActorRef FakeEncoder { get; }

    protected FrameMemoryBudget Budget { get; }

    /// <summary>The shard region of this test, its tasks encoding with <see cref="FakeEncoder"/>.</summary>
    protected IActorRef Region { get; }

    /// <summary>The folder of the last pool <see cref="StartEncoderPool"/> started (TMP_PATH); deleted after the test.</summary>
    protected string ClipFolder { get; private set; } = "";

    /// <summary>Another region of the same node, with other parts (a real encoder pool, an event store probe).</summary>
    protected IActorRef StartRegion(IActorRef encoder, IActorRef? eventStore = null) =>
        TaskSharding.StartRegion(Sys, Settings, new TaskDependencies(Budget, encoder, eventStore ?? ActorRefs.Nobody),
            typeName: "task-" + Guid.NewGuid().ToString("N"));

    /// <summary>The node's real encoder pool (the machine's FFmpeg), writing into a fresh <see cref="ClipFolder"/>.</summary>
    protected IActorRef StartEncoderPool(Func<MediaSettings, MediaSettings>? adjust = null)
    {
        var folder = Directory.CreateTempSubdirectory("registrator-clips-").FullName;
        _folders.Add(folder);
        ClipFolder = folder;
        var media = Settings.Media with { OutputPath = folder };
        return EncoderPool.Start(Sys, adjust?.Invoke(media) ?? media, "encoders-" + Guid.NewGuid().ToString("N")[..8]);
    }

    protected static string NewKey() => "camera-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The capture time of the key's next frame: <see cref="FirstCaptureTime"/>, then 1/10 s later each time.</summary>
    protected static double NextCaptureTime(string key) => FirstCaptureTime + FramesSent.AddOrUpdate(key, 0, (_, n) => n + 1) / 10.0;

    /// <summary>A BGR24 frame filled with <paramref name="fill"/>, captured at <paramref name="time"/> or the key's <see cref="NextCaptureTime"/>.</summary>
    protected static AddFrame Frame(string key, int width = 4, int height = 2, byte fill = 0, string? id = null, double? time = null)
    {
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, fill);
        return new AddFrame(key, width, height, pixels, id, time ?? NextCaptureTime(key));
    }

    protected T Ask<T>(object message)
    {
        Region.Tell(message, TestActor);
        return ExpectMsg<T>();
    }

    protected TaskSnapshot Snapshot(string key) => Ask<TaskSnapshot>(new GetTask(key));

    protected Accepted Accept(object command) => Ask<Accepted>(command);

    /// <summary>Sends <paramref name="count"/> frames (ids <c>f0</c>, <c>f1</c>, … and fill 0, 1, …) and waits until the encoder has returned them all.</summary>
    protected TaskSnapshot AddFrames(string key, int count, int width = 4, int height = 2, string idPrefix = "f")
    {
        var before = Snapshot(key);
        for (var i = 0; i < count; i++) Accept(Frame(key, width, height, fill: (byte)i, id: $"{idPrefix}{i}"));
        return AwaitEncoded(key, before.FrameCount + count);
    }

    /// <summary>Waits until the task holds <paramref name="frames"/> packets and none is waiting or at the encoder.</summary>
    protected TaskSnapshot AwaitEncoded(string key, int frames)
    {
        TaskSnapshot? snapshot = null;
        AwaitAssert(() =>
        {
            snapshot = Snapshot(key);
            Assert.Equal((frames, 0), (snapshot.FrameCount, snapshot.FramesPending));
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        return snapshot!;
    }

    /// <summary>The next frame of <paramref name="key"/> the tasks sent to the encoder double, skipping other keys' frames.</summary>
    protected EncodeFrame ExpectFrameAtEncoder(string key, TimeSpan? timeout = null) =>
        (EncodeFrame)EncoderFrames.FishForMessage(m => m is EncodeFrame f && f.TaskKey == key, timeout);

    /// <summary>
    /// RegisterTask from the test actor, up to the point where the registration took the cycle and its clip reached
    /// the encoder: the task is DONE (registering) and the test answers the clip when it likes.
    /// The task must hold frames (without any, the registration ends in ERROR at once and no clip is asked for).
    /// </summary>
    protected RequestedClip BeginRegistration(string key, string message = DefaultMessage)
    {
        Region.Tell(new RegisterTask(key, message), TestActor);
        return ExpectClip(key);
    }

    /// <summary>The next clip asked of <see cref="Encoder"/>, which must be <paramref name="key"/>'s.</summary>
    protected RequestedClip ExpectClip(string key)
    {
        var clip = Encoder.ExpectMsg<WriteClip>();
        Assert.Equal(key, clip.TaskKey);
        return new RequestedClip(clip, Encoder.LastSender);
    }

    /// <summary>Answers the clip as <paramref name="succeed"/> says and returns the event the registration answers the test actor with.</summary>
    protected TaskEvents.EventRegistered Complete(RequestedClip clip, bool succeed = true, string reason = "disk full")
    {
        clip.Answer(succeed, reason);
        var registered = ExpectMsg<TaskEvents.EventRegistered>();
        Assert.Equal(clip.EventId, registered.EventId);
        return registered;
    }

    /// <summary>Registers and plays the encoder: answers the clip as <paramref name="succeed"/> says; the clip asked for and the registered event.</summary>
    protected (WriteClip Clip, TaskEvents.EventRegistered Event) Register(string key, bool succeed = true, string message = DefaultMessage)
    {
        var clip = BeginRegistration(key, message);
        return (clip.Clip, Complete(clip, succeed));
    }

    /// <summary>Drives a fresh key into <paramref name="state"/> (<see cref="TaskState.Done"/>: StopTask's DONE) through the region.</summary>
    protected void BringTo(string key, TaskState state, int frames = 0) => BringTo(key, TaskLifecycle.ColumnOf(state), frames);

    /// <summary>
    /// Drives a fresh key into a column of the lifecycle table through the region, as a client would, buffering
    /// <paramref name="frames"/> frames on the way (at least one for DONE (registering), FINISHED and ERROR: a clip needs
    /// one). For <see cref="LifecycleColumn.Registering"/> the clip is left unanswered and returned.
    /// </summary>
    protected RequestedClip? BringTo(string key, LifecycleColumn column, int frames = 0)
    {
        RequestedClip? clip = null;
        switch (column)
        {
            case LifecycleColumn.None:
                break;
            case LifecycleColumn.Created:
                Accept(new CreateTask(key));
                AddFrames(key, frames);
                break;
            case LifecycleColumn.Pending:
                Accept(new AddStatus(key, true));
                AddFrames(key, frames);
                break;
            case LifecycleColumn.Stopped:
                Accept(new CreateTask(key));
                AddFrames(key, frames);
                Accept(new StopTask(key));
                break;
            case LifecycleColumn.Registering:
                clip = BringToRegistering(key, frames);
                break;
            case LifecycleColumn.Finished or LifecycleColumn.Error:
                AddFrames(key, Math.Max(frames, 1));
                Accept(new AddStatus(key, true));
                Register(key, succeed: column == LifecycleColumn.Finished);
                break;
        }
        var snapshot = Snapshot(key);
        Assert.Equal(TaskLifecycle.StateOf(column), snapshot.State);
        Assert.Equal(column == LifecycleColumn.Registering, snapshot.Registering);
        return clip;
    }

    /// <summary>DONE (registering): <paramref name="frames"/> frames (at least one) and a status, then RegisterTask; the clip is left to the test.</summary>
    protected RequestedClip BringToRegistering(string key, int frames = 1, string message = DefaultMessage)
    {
        AddFrames(key, Math.Max(frames, 1));
        Accept(new AddStatus(key, true));
        return BeginRegistration(key, message);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var folder in _folders)
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        }
    }
}
