using System.Text;
using System.Text.Json;
using Akka.Actor;
using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Nats;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.Registration;

/// <summary>
/// The documentation's surveillance example through the real pipeline: raw frames and inference results published on a
/// real nats-server, the window trigger registers, and the event lands in a real Redis with a clip ffprobe reads — and
/// is announced on <c>registrator.events</c>.
/// </summary>
public sealed class NatsWindowTriggerSpec : EventStoreSpec, IClassFixture<RedisServer>
{
    private const string ClusterHocon = ClusterNodeHocon + "\n" + """
        akka.test.single-expect-default = 30s
        registrator.trigger { policy = window, window = 30, ratio = 0.3 }
        registrator.media.pool-size = 1
        """;

    private readonly NatsServer _nats = NatsServer.Start();

    public NatsWindowTriggerSpec(RedisServer redis, ITestOutputHelper output) : base(redis, output, ClusterHocon)
    {
        JoinSelfAndAwaitUp();
        var settings = RegistratorSettings.From(Sys);
        var region = TaskSharding.StartRegion(Sys, settings,
            new TaskDependencies(new FrameMemoryBudget(settings.Task.MaxBufferBytes), EncoderPool.Start(Sys, settings.Media), StartStore()));
        Sys.ActorOf(NatsBridge.Props(settings.Nats with { Servers = [_nats.Url] }, region), "nats-bridge");
    }

    [Fact]
    public async Task Ten_detections_in_thirty_results_register_an_event_with_the_clip_of_the_published_frames()
    {
        const string key = "gate/камера 1";
        // Header values are UTF-8 by the interface (keys may be any Unicode string).
        await using var client = new NatsConnection(NatsOpts.Default with { Url = _nats.Url, HeaderEncoding = Encoding.UTF8 });
        await using var announced = await client.SubscribeCoreAsync<byte[]>("registrator.events");
        var frames = FfmpegCli.TestSource(320, 240, 20);

        // The bridge subscribes asynchronously (and core NATS drops what nobody is subscribed to): warm both
        // subjects up on another key until the bridge delivers there.
        await AwaitAssertAsync(async () =>
        {
            await PublishFrameAsync(client, "warm-up", frames[0], "w");
            await client.PublishAsync("inference.results", Encoding.UTF8.GetBytes("""{"key":"warm-up","detected":false}"""));
            Region().Tell(new TaskQueries.GetTask("warm-up"), TestActor);
            var warm = await ExpectMsgAsync<TaskReplies.TaskSnapshot>();
            Assert.True(warm.FrameCount > 0 && warm.Statuses.Length > 0);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));

        for (var i = 0; i < frames.Count; i++) await PublishFrameAsync(client, key, frames[i], $"f{i}", 1_796_000_000.0 + (i * 0.1));
        await AwaitAssertAsync(async () =>
        {
            Region().Tell(new TaskQueries.GetTask(key), TestActor);
            Assert.True((await ExpectMsgAsync<TaskReplies.TaskSnapshot>()).FrameCount >= frames.Count);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));

        for (var i = 0; i < 30; i++)
        {
            var score = i % 3 == 0 ? 0.9 : 0.1;   // 10 of 30 > 30%
            var result = $$"""{"key":{{JsonSerializer.Serialize(key)}},"model":"YOLOModel","result":{"boxes":[[1,2,3,4]],"scores":[{{score}}],"class_ids":[0]},"frame_id":"f{{i % 20}}"}""";
            await client.PublishAsync("inference.results", Encoding.UTF8.GetBytes(result));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var message = await announced.Msgs.ReadAsync(timeout.Token);
        var member = Assert.Single(await MembersAsync());
        Assert.Equal(member.Element.ToString(), Encoding.UTF8.GetString(message.Data!));
        var task = TaskObjectOf(member.Element!, key);
        Assert.Equal("f9", task.GetProperty("message").GetProperty("frame_id").GetString());   // the 30th result
        var probe = FfmpegCli.Probe(task.GetProperty("video_proofs").GetString()!);
        Assert.Equal(("h264", "yuv420p", 320, 240, 20), (probe.CodecName, probe.PixelFormat, probe.Width, probe.Height, probe.FramesRead));
        Assert.True(File.Exists(task.GetProperty("image_proof_path").GetString()));
    }

    private IActorRef Region() => ClusterShardingRegion ??= Akka.Cluster.Sharding.ClusterSharding.Get(Sys).ShardRegion(RegistratorCluster.TaskTypeName);

    private IActorRef? ClusterShardingRegion { get; set; }

    private static async Task PublishFrameAsync(NatsConnection client, string key, byte[] frame, string id, double? captureTime = null)
    {
        var headers = new NatsHeaders
        {
            ["Task-Key"] = key,
            ["Content-Type"] = "application/x-bgr24",
            ["Frame-Width"] = "320",
            ["Frame-Height"] = "240",
            ["Frame-Id"] = id,
        };
        // A 10 fps camera's clock (frames closer than 1/fps would be thinned out of the clip); without it, arrival time.
        if (captureTime is { } t) headers["Frame-Time"] = t.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        await client.PublishAsync("registrator.frames", frame, headers: headers);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _nats.Dispose();
    }
}
