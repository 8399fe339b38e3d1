using System.Text.Json;
using Akka.Actor;
using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Actors.Nats;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Nats;

/// <summary>
/// The sharded single-node cluster of <see cref="ShardedTaskSpec"/>, a real nats-server of its own on a free port, and a
/// plain NATS connection that publishes as an outside system would. Tests start a <see cref="NatsBridge"/> against
/// the spec's <c>Region</c> and watch the tasks through it.
/// </summary>
[Collection(nameof(NatsBridgeSpec))]
public abstract class NatsBridgeSpec : ShardedTaskSpec
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    protected NatsBridgeSpec(ITestOutputHelper output, string hocon = "", bool serverRunning = true)
        : this(output, serverRunning ? NatsServer.Start() : NatsServer.Reserve(), hocon)
    {
    }

    private NatsBridgeSpec(ITestOutputHelper output, NatsServer server, string hocon)
        : base(output, $$"""
            registrator.nats {
              servers = ["{{server.Url}}"]
              # Tests restart the server: reconnect quickly.
              reconnect-wait-min = 100ms
              reconnect-wait-max = 300ms
            }
            """ + "\n" + hocon)
    {
        Server = server;
        Nats = NatsSettings.From(Sys.Settings.Config.GetConfig("registrator.nats"));
        Publisher = new NatsConnection(new NatsOpts
        {
            Url = server.Url,
            Name = "test-publisher",
            HeaderEncoding = System.Text.Encoding.UTF8,
            RetryOnInitialConnect = true,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(300),
            // Floods outrun the bridge, and nats-server then holds a fast publisher back: its writes wait, which is fine.
            CommandTimeout = TimeSpan.FromMinutes(5),
        });
    }

    protected NatsServer Server { get; }
    protected NatsSettings Nats { get; }
    protected NatsConnection Publisher { get; }
    protected BadInputCounters Counters { get; } = new();
    /// <summary>The bridges' connection state and connection problems (what the node's metrics and readiness read).</summary>
    protected NatsConnectivity Connectivity { get; } = new();

    /// <param name="tasks">Where the bridge sends statuses, frames and commands: the spec's region unless a test says otherwise.</param>
    protected IActorRef StartBridge(NatsSettings? settings = null, IActorRef? tasks = null) =>
        Sys.ActorOf(NatsBridge.Props(settings ?? Nats, tasks ?? Region, Counters, Connectivity));

    protected Task PublishResultAsync(string json) =>
        Publisher.PublishAsync(Nats.ResultsSubject, System.Text.Encoding.UTF8.GetBytes(json)).AsTask();

    protected static string Result(string key, bool? detected = null, double[]? scores = null, string frameId = "frame_001")
    {
        var detectedField = detected is { } d ? $"\"detected\":{(d ? "true" : "false")}," : "";
        var scoreList = string.Join(",", (scores ?? []).Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var boxes = string.Join(",", (scores ?? []).Select(_ => "[1,2,30,40]"));
        var classIds = string.Join(",", (scores ?? []).Select(_ => "0"));
        return $$"""{"key":{{JsonSerializer.Serialize(key)}},{{detectedField}}"model":"yolo","result":{"boxes":[{{boxes}}],"scores":[{{scoreList}}],"class_ids":[{{classIds}}]},"frame_id":"{{frameId}}"}""";
    }

    protected Task PublishFrameAsync(byte[] payload, NatsHeaders headers) =>
        Publisher.PublishAsync(Nats.FramesSubject, payload, headers).AsTask();

    protected static NatsHeaders RawHeaders(string key, int width, int height, string? frameId = null)
    {
        var headers = new NatsHeaders
        {
            [NatsHeaderNames.TaskKey] = key,
            [NatsHeaderNames.ContentType] = NatsHeaderNames.Bgr24,
            [NatsHeaderNames.FrameWidth] = width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [NatsHeaderNames.FrameHeight] = height.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (frameId is not null) headers[NatsHeaderNames.FrameId] = frameId;
        return headers;
    }

    /// <summary>
    /// Adds a <c>Frame-Time</c> header, <paramref name="offset"/> seconds after <see cref="ShardedTaskSpec.FirstCaptureTime"/>.
    /// Frames without one are timed by their arrival and those closer than 1/fps to the previous are skipped, so specs
    /// that publish frames quickly time them 1/10 s apart.
    /// </summary>
    protected static NatsHeaders Timed(NatsHeaders headers, double offset)
    {
        headers[NatsHeaderNames.FrameTime] = (FirstCaptureTime + offset).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        return headers;
    }

    /// <summary>A request on the commands subject, as a client would send it; the reply's JSON.</summary>
    protected async Task<JsonElement> RequestAsync(string json, TimeSpan? timeout = null)
    {
        var reply = await Publisher.RequestAsync<byte[], byte[]>(
            Nats.CommandsSubject, System.Text.Encoding.UTF8.GetBytes(json),
            replyOpts: new NatsSubOpts { Timeout = timeout ?? TimeSpan.FromSeconds(15) });
        using var document = JsonDocument.Parse(reply.Data ?? []);
        return document.RootElement.Clone();
    }

    protected async Task<TaskSnapshot> SnapshotAsync(string key) =>
        await Region.Ask<TaskSnapshot>(new GetTask(key), TimeSpan.FromSeconds(5));

    protected async Task<bool[]> StatusesAsync(string key) => (await SnapshotAsync(key)).Statuses.ToArray();

    /// <summary>
    /// Waits until the bridge's three subscriptions are live on the server: a command is answered, and a probe result and
    /// a probe frame (published again on every attempt: messages without a subscriber are simply gone) reach their tasks.
    /// The probe's frames are then cleared from <see cref="ShardedTaskSpec.EncoderFrames"/>.
    /// </summary>
    protected async Task AwaitBridgeReadyAsync()
    {
        var probe = "probe-" + Guid.NewGuid().ToString("N")[..8];
        await AwaitAssertAsync(async () =>
        {
            var reply = await RequestAsync($$"""{"command":"get","key":"{{probe}}"}""", TimeSpan.FromMilliseconds(500));
            Assert.True(reply.GetProperty("ok").GetBoolean());
        }, ReadyTimeout, TimeSpan.FromMilliseconds(50));
        await AwaitAssertAsync(async () =>
        {
            await PublishResultAsync(Result(probe, detected: false));
            Assert.NotEmpty((await SnapshotAsync(probe)).Statuses);
        }, ReadyTimeout, TimeSpan.FromMilliseconds(50));
        await AwaitAssertAsync(async () =>
        {
            // All at one capture time: once one is in the buffer, later copies are skipped and never reach the encoder.
            await PublishFrameAsync(new byte[3], Timed(RawHeaders(probe, 1, 1), 0));
            Assert.NotEqual(0, (await SnapshotAsync(probe)).FrameCount);
        }, ReadyTimeout, TimeSpan.FromMilliseconds(50));
        // The probe's frame went through the encoder double: the test sees only its own in EncoderFrames.
        while (EncoderFrames.HasMessages) EncoderFrames.ReceiveOne(TimeSpan.Zero);
    }

    /// <summary>Waits until <paramref name="reason"/> has been counted <paramref name="expected"/> times.</summary>
    protected void AwaitCount(BadInputReason reason, long expected) =>
        AwaitAssert(() => Assert.Equal(expected, Counters[reason]), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        // Not an actor thread: the test's own teardown may wait for the client to close.
        Publisher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Server.Dispose();
    }
}

/// <summary>Runs the NATS specs one after another: each starts a cluster and a server, and the machine has two cores.</summary>
[CollectionDefinition(nameof(NatsBridgeSpec))]
public sealed class NatsBridgeSpecCollection;
