using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;


namespace Registrator.Integration.Tests.Registration;

/// <summary>
/// RegisterTask → real encoder pool → real event store → real redis-server, on a single-node cluster: the record a
/// reader gets from Redis, and the clip ffprobe reads. Also through a separate client actor system's proxy.
/// </summary>
public sealed class RegistrationEndToEndSpec : EventStoreSpec, IClassFixture<RedisServer>
{
    private const string ClusterHocon = ClusterNodeHocon + "\n" + """
        akka.actor.serialize-messages = on
        akka.test.single-expect-default = 30s
        registrator.trigger.policy = manual
        registrator.media.pool-size = 2
        """;

    private readonly IActorRef _region;

    public RegistrationEndToEndSpec(RedisServer redis, ITestOutputHelper output) : base(redis, output, ClusterHocon)
    {
        JoinSelfAndAwaitUp();
        var settings = RegistratorSettings.From(Sys);
        var encoders = EncoderPool.Start(Sys, settings.Media);
        var store = StartStore();
        _region = TaskSharding.StartRegion(Sys, settings, new TaskDependencies(new FrameMemoryBudget(settings.Task.MaxBufferBytes), encoders, store));
    }

    [Fact]
    public async Task A_registration_with_real_frames_is_a_Redis_member_with_a_playable_clip()
    {
        const string key = "camera 7/вход";
        for (var i = 0; i < 30; i++) _region.Tell(Frame(key, i), TestActor);
        for (var i = 0; i < 30; i++) ExpectMsg<TaskReplies.Accepted>();
        _region.Tell(new RegisterTask(key, YoloMessage), TestActor);

        var registered = ExpectMsg<TaskEvents.EventRegistered>();
        await AssertRecordedAsync(registered, key);
    }

    [Fact]
    public async Task A_client_system_registers_through_its_proxy()
    {
        var seed = Cluster.Get(Sys).SelfAddress;
        var clientConfig = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.seed-nodes = ["{{seed}}"]
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            """).WithFallback(RegistratorCluster.ClientConfig);
        using var client = ActorSystem.Create(Sys.Name, clientConfig);
        AwaitCondition(() => Cluster.Get(client).SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
        Assert.Contains("client", Cluster.Get(client).SelfRoles);
        var proxy = RegistratorCluster.StartTaskProxy(client);
        var probe = CreateTestProbe(client);

        const string key = "client-camera";
        proxy.Tell(new CreateTask(key), probe.Ref);
        Assert.Equal(TaskState.Created, probe.ExpectMsg<TaskReplies.Accepted>().State);
        for (var i = 0; i < 30; i++) proxy.Tell(Frame(key, i), probe.Ref);
        for (var i = 0; i < 30; i++) probe.ExpectMsg<TaskReplies.Accepted>();
        proxy.Tell(new AddStatus(key, true), probe.Ref);
        Assert.Equal(TaskState.Pending, probe.ExpectMsg<TaskReplies.Accepted>().State);
        proxy.Tell(new RegisterTask(key, YoloMessage), probe.Ref);

        var registered = probe.ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(60));
        await AssertRecordedAsync(registered, key);
        await client.Terminate();
    }

    private async Task AssertRecordedAsync(TaskEvents.EventRegistered registered, string key)
    {
        Assert.Equal(key, registered.TaskKey);
        Assert.Null(registered.Error);
        var members = await MembersAsync();
        var member = Assert.Single(members);
        Assert.InRange(member.Score, NowSeconds() - 30, NowSeconds() + 1);
        Assert.Equal(registered.Timestamp, member.Score, 3);

        var task = TaskObjectOf(member.Element!, key);
        Assert.Equal(JsonDocument.Parse(YoloMessage).RootElement.GetRawText(), task.GetProperty("message").GetRawText());
        Assert.Equal(registered.VideoPath, task.GetProperty("video_proofs").GetString());
        Assert.Equal(registered.ImagePath, task.GetProperty("image_proof_path").GetString());
        Assert.Equal(registered.EventId.ToString("D"), task.GetProperty("event_id").GetString());
        Assert.Equal(Path.Combine(OutputPath, $"{registered.EventId}", $"{registered.EventId}.mp4"), registered.VideoPath);
        Assert.True(File.Exists(registered.ImagePath));

        var probe = FfmpegCli.Probe(registered.VideoPath!);
        Assert.Equal(("h264", "yuv420p", "10/1", 30, 640, 480),
            (probe.CodecName, probe.PixelFormat, probe.FrameRate, probe.FramesRead, probe.Width, probe.Height));
    }

    private static AddFrame Frame(string key, int index)
    {
        var pixels = new byte[640 * 480 * 3];
        for (var y = 0; y < 480; y++)
        for (var x = 0; x < 640; x++)
        {
            var p = (y * 640 + x) * 3;
            pixels[p] = (byte)(x + index * 4);
            pixels[p + 1] = (byte)y;
            pixels[p + 2] = (byte)((x ^ y) + index);
        }
        // Captured 0.1 s apart, as a 10 fps camera: frames closer than 1/fps would be thinned out of the clip.
        return new AddFrame(key, 640, 480, pixels, $"frame_{index:000}", CaptureTime: 1_796_000_000.0 + (index * 0.1));
    }

}
