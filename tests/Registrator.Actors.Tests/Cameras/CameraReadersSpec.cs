using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Cameras;
using Registrator.Actors.Configuration;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Cameras;

/// <summary>Two cluster nodes reading video: this class runs alone, not beside other classes competing for the cores.</summary>
[CollectionDefinition(nameof(CameraReadersSpec), DisableParallelization = true)]
public sealed class CameraReadersCollection;

/// <summary>
/// Two registrator nodes in this process on loopback ports (the TestKit's system is the first), joined into one cluster,
/// with the node's own configuration: sharding defaults, rebalancing on. Each node's "task region" is a tap that records
/// the frames it is given and accepts them.
/// </summary>
[Collection(nameof(CameraReadersSpec))]
public sealed class CameraReadersSpec : TestKit, IDisposable
{
    private const string Role = "registrator";
    private const string NodeHocon = """
        akka.loglevel = INFO
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster.roles = ["registrator"]
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.gossip-interval = 200ms
        akka.test.single-expect-default = 20s
        registrator.trigger.policy = manual
        # A daemon keep-alive ping is sure to fall inside a shutdown; the region phase is bounded so a hang shows in the test's time.
        akka.cluster.sharded-daemon-process.keep-alive-interval = 300ms
        akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 20s
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("registrator-readers-").FullName;
    private readonly List<ActorSystem> _nodes = [];
    /// <summary>Every frame a tap was given: the node's index, the camera key and the frame id.</summary>
    private readonly ConcurrentQueue<(int Node, string Key, string FrameId)> _frames = new();

    public CameraReadersSpec(ITestOutputHelper output) : base(NodeConfig(), "registrator", output)
    {
        _nodes.Add(Sys);
        _nodes.Add(ActorSystem.Create("registrator", NodeConfig()));
        var seed = Akka.Cluster.Cluster.Get(Sys).SelfAddress;
        foreach (var node in _nodes) Akka.Cluster.Cluster.Get(node).Join(seed);
        AwaitAssert(() => Assert.All(_nodes, node =>
            Assert.Equal(2, Akka.Cluster.Cluster.Get(node).State.Members.Count(m => m.Status == MemberStatus.Up))),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
    }

    private static Config NodeConfig() => RegistratorConfig.Load(NodeHocon, new Hashtable());

    [Fact]
    public void A_camera_listed_on_two_nodes_is_read_by_one_of_them()
    {
        var cameras = new[] { new CameraSettings("gate/1", MakeClip(), Fps: 10, Loop: true, RegistratorSettings.Defaults.CameraReader) };
        StartReaders(cameras);

        var reader = AwaitFirstFrame("gate/1");
        // Watch for two seconds' worth of frames at 10 fps: long enough that a second reader would have shown up.
        AwaitCondition(() => _frames.Count(f => f.Key == "gate/1") >= 20, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));

        var frames = _frames.Where(f => f.Key == "gate/1").ToArray();
        Assert.All(frames, f => Assert.Equal(reader, f.Node));
        Assert.True(frames.Length >= 15, $"{frames.Length} frames");
        Assert.Equal(frames.Length, frames.Select(f => f.FrameId).Distinct().Count());
    }

    [Fact]
    public void A_camera_moves_to_the_other_node_when_its_reader_s_node_leaves()
    {
        var cameras = new[] { new CameraSettings("gate/2", MakeClip(), Fps: 10, Loop: true, RegistratorSettings.Defaults.CameraReader) };
        StartReaders(cameras);
        var reader = AwaitFirstFrame("gate/2");
        var other = 1 - reader;

        var leaving = Akka.Cluster.Cluster.Get(_nodes[reader]);
        var address = leaving.SelfAddress;
        leaving.Leave(address);
        AwaitAssert(() => Assert.DoesNotContain(Akka.Cluster.Cluster.Get(_nodes[other]).State.Members, m => m.Address == address),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        var removed = Stopwatch.StartNew();

        AwaitCondition(() => _frames.Any(f => f.Key == "gate/2" && f.Node == other), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        Output.WriteLine($"the other node's reader sent its first frame {removed.Elapsed.TotalSeconds:F1}s after the leaving node was removed");

        // The left node reads no more: its frames all came before the other node's first.
        var sequence = _frames.Where(f => f.Key == "gate/2").Select(f => f.Node).ToArray();
        var switched = Array.IndexOf(sequence, other);
        Assert.All(sequence[switched..], node => Assert.Equal(other, node));
    }

    /// <summary>
    /// The last node of the cluster shuts down without waiting out its region phase: nothing keeps pinging the
    /// cameras' daemon or feeding the task region once the node stops taking input (a region with buffered messages and
    /// no other node to hand them to would otherwise wait for its phase's whole timeout).
    /// </summary>
    [Fact]
    public async Task The_last_node_shuts_down_without_waiting_for_its_region_phase_to_time_out()
    {
        var cameras = new[] { new CameraSettings("gate/3", MakeClip(), Fps: 10, Loop: true, RegistratorSettings.Defaults.CameraReader) };
        // Readers feed a real shard region here, as on a node: what reaches it after its shards left must not hold it up.
        for (var i = 0; i < _nodes.Count; i++)
        {
            var index = i;
            var region = ClusterSharding.Get(_nodes[i]).Start("tap-task", _ => Props.Create(() => new TapActor(index, _frames)),
                ClusterShardingSettings.Create(_nodes[i]).WithRole(Role), new TaskMessageExtractor(10));
            CameraReaders.Start(_nodes[i], cameras, region, Role);
        }
        AwaitFirstFrame("gate/3");
        var last = _nodes[0];
        var leaving = Akka.Cluster.Cluster.Get(_nodes[1]);
        var address = leaving.SelfAddress;
        leaving.Leave(address);
        AwaitAssert(() => Assert.DoesNotContain(Akka.Cluster.Cluster.Get(last).State.Members, m => m.Address == address),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        AwaitCondition(() => _frames.Any(f => f.Key == "gate/3" && f.Node == 0), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        var warnings = new ConcurrentQueue<string>();
        var listener = last.ActorOf(Props.Create(() => new WarningListener(warnings)));
        last.EventStream.Subscribe(listener, typeof(Akka.Event.Warning));

        await CoordinatedShutdown.Get(last).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.DoesNotContain(warnings, w => w.Contains("timed out", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A node that never reached its seeds (so its cameras' region has no coordinator and buffers the daemon's first
    /// keep-alive) is stopped: the buffered keep-alive does not hold the shutdown for its region phase.
    /// </summary>
    [Fact]
    public async Task A_node_that_never_joined_shuts_down_without_waiting_for_its_region_phase_to_time_out()
    {
        var cameras = new[] { new CameraSettings("gate/4", MakeClip(), Fps: 10, Loop: true, RegistratorSettings.Defaults.CameraReader) };
        var alone = ActorSystem.Create("registrator", NodeConfig());
        try
        {
            var warnings = new ConcurrentQueue<string>();
            alone.EventStream.Subscribe(alone.ActorOf(Props.Create(() => new WarningListener(warnings))), typeof(Akka.Event.Warning));
            CameraReaders.Start(alone, cameras, alone.ActorOf(Props.Create(() => new TapActor(2, _frames))), Role);
            var region = ClusterSharding.Get(alone).ShardRegion("sharded-daemon-process-" + CameraReaders.DaemonName(cameras));
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
            Assert.Empty(state.Shards);

            await CoordinatedShutdown.Get(alone).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.DoesNotContain(warnings, w => w.Contains("shard region timed out", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(_frames, f => f.Key == "gate/4");
        }
        finally
        {
            await alone.Terminate();
        }
    }

    [Fact]
    public void An_empty_list_starts_nothing()
    {
        CameraReaders.Start(Sys, [], CreateTestProbe().Ref, Role);
        Assert.Empty(ClusterSharding.Get(Sys).ShardTypeNames);
    }

    [Fact]
    public void Two_cameras_with_one_key_are_refused()
    {
        var camera = new CameraSettings("same", "/data/a.mp4", 10, true, RegistratorSettings.Defaults.CameraReader);
        Assert.Throws<ArgumentException>(() =>
            CameraReaders.Start(Sys, [camera, camera with { Source = "/data/b.mp4" }], CreateTestProbe().Ref, Role));
    }

    /// <summary>Starts the readers on both nodes, each sending to its own tap, as every node of the role does.</summary>
    private void StartReaders(IReadOnlyList<CameraSettings> cameras)
    {
        for (var i = 0; i < _nodes.Count; i++)
        {
            var index = i;
            CameraReaders.Start(_nodes[i], cameras, _nodes[i].ActorOf(Props.Create(() => new TapActor(index, _frames))), Role);
        }
    }

    /// <summary>The index of the node whose tap got the key's first frame.</summary>
    private int AwaitFirstFrame(string key)
    {
        AwaitCondition(() => _frames.Any(f => f.Key == key), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        return _frames.First(f => f.Key == key).Node;
    }

    private sealed class WarningListener : ReceiveActor
    {
        public WarningListener(ConcurrentQueue<string> warnings) =>
            Receive<Akka.Event.Warning>(w => warnings.Enqueue(w.Message?.ToString() ?? ""));
    }

    private sealed class TapActor : ReceiveActor
    {
        public TapActor(int node, ConcurrentQueue<(int, string, string)> frames)
        {
            Receive<TaskCommands.AddFrame>(frame =>
            {
                frames.Enqueue((node, frame.TaskKey, frame.FrameId ?? ""));
                Sender.Tell(new TaskReplies.Accepted(frame.TaskKey, TaskState.Created));
            });
        }
    }

    private string MakeClip()
    {
        var path = Path.Combine(_folder, "clip.mp4");
        var temporary = Path.Combine(_folder, ".clip.mp4");
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
            ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=32x24:rate=10", "-frames:v", "20",
             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "mp4", temporary]))!;
        ffmpeg.WaitForExit();
        Assert.Equal(0, ffmpeg.ExitCode);
        File.Move(temporary, path);
        return path;
    }

    void IDisposable.Dispose()
    {
        foreach (var node in _nodes.Skip(1)) node.Terminate().Wait(TimeSpan.FromSeconds(20));
        Shutdown();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
