using Akka.Actor;
using NATS.Client.Core;
using OpenCvSharp;
using Registrator.Actors.Encoding;
using Registrator.Actors.Nats;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tests.Nats;

public sealed class NatsFramesSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    [Fact]
    public async Task A_JPEG_frame_reaches_the_encoder_as_the_JPEG_it_arrived_as_and_decodes_there_in_BGR_order()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        // Pure red in BGR order: a swapped channel order would show in the decoded pixels.
        using var image = new Mat(48, 64, MatType.CV_8UC3, new Scalar(0, 0, 255));
        Cv2.ImEncode(".jpg", image, out var jpeg);

        await PublishFrameAsync(jpeg, new NatsHeaders
        {
            [NatsHeaderNames.TaskKey] = key,
            [NatsHeaderNames.ContentType] = NatsHeaderNames.Jpeg,
            [NatsHeaderNames.FrameId] = "frame_007",
        });

        await AwaitAssertAsync(async () =>
        {
            var snapshot = await SnapshotAsync(key);
            Assert.Equal((1, 64, 48), (snapshot.FrameCount, snapshot.FrameWidth, snapshot.FrameHeight));
        });
        // The frame travels as its JPEG (not 0.9 MB of BGR) and the encoder on the task's node decodes it.
        var frame = EncoderFrames.ExpectMsg<EncodeFrame>();
        Assert.Equal(("frame_007", FrameFormat.Jpeg, 64, 48), (frame.FrameId, frame.Format, frame.Width, frame.Height));
        Assert.Equal(jpeg, frame.Pixels);
        var pixels = Registrator.Media.JpegFrame.Decode(frame.Pixels, frame.Width, frame.Height);
        Assert.InRange(pixels[0], 0, 10);
        Assert.InRange(pixels[1], 0, 10);
        Assert.InRange(pixels[2], 245, 255);
    }

    [Fact]
    public async Task A_raw_BGR24_frame_is_buffered_at_the_size_in_its_headers()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        var pixels = Enumerable.Range(0, 8 * 4 * 3).Select(i => (byte)i).ToArray();

        await PublishFrameAsync(pixels, RawHeaders(key, 8, 4, frameId: "f-1"));

        await AwaitAssertAsync(async () =>
        {
            var snapshot = await SnapshotAsync(key);
            Assert.Equal((1, 8, 4), (snapshot.FrameCount, snapshot.FrameWidth, snapshot.FrameHeight));
        });
        var frame = EncoderFrames.ExpectMsg<EncodeFrame>();
        Assert.Equal((8, 4), (frame.Width, frame.Height));
        Assert.Equal(pixels, frame.Pixels);
        Assert.Equal("f-1", frame.FrameId);
    }

    [Theory]
    [InlineData("камера №1 🎥 / вход")]
    [InlineData("cam: 1, \"north\"")]
    [InlineData("cameras/*/entrance.>")]
    public async Task A_Unicode_task_key_header_reaches_its_task(string key)
    {
        StartBridge();
        await AwaitBridgeReadyAsync();

        await PublishFrameAsync(new byte[2 * 2 * 3], RawHeaders(key, 2, 2));

        await AwaitAssertAsync(async () => Assert.Equal(1, (await SnapshotAsync(key)).FrameCount));
    }

    [Fact]
    public async Task Frames_of_one_key_are_buffered_in_the_order_they_were_published()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();

        for (var i = 0; i < 20; i++) await PublishFrameAsync(Enumerable.Repeat((byte)i, 2 * 2 * 3).ToArray(), RawHeaders(key, 2, 2, frameId: $"{i}"));

        await AwaitAssertAsync(async () => Assert.Equal(20, (await SnapshotAsync(key)).FrameCount));
        var frames = Enumerable.Range(0, 20).Select(_ => EncoderFrames.ExpectMsg<EncodeFrame>()).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{i}"), frames.Select(f => f.FrameId));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)i), frames.Select(f => f.Pixels[0]));
    }

    [Fact]
    public async Task The_Frame_Time_header_reaches_the_task_as_the_capture_time()
    {
        var key = NewKey();
        var seen = CreateTestProbe();
        StartBridge(tasks: Sys.ActorOf(Props.Create(() => new Tap(Region, key, seen.Ref))));
        await AwaitBridgeReadyAsync();

        var timed = RawHeaders(key, 2, 2, frameId: "timed");
        timed[NatsHeaderNames.FrameTime] = "1796000000.100";
        await PublishFrameAsync(new byte[2 * 2 * 3], timed);
        var whole = RawHeaders(key, 2, 2, frameId: "whole");
        whole[NatsHeaderNames.FrameTime] = "1796000001";
        await PublishFrameAsync(new byte[2 * 2 * 3], whole);
        await PublishFrameAsync(new byte[2 * 2 * 3], RawHeaders(key, 2, 2, frameId: "untimed"));

        // The tap sees what the bridge sends (after the serializer, as serialize-messages is on).
        Assert.Equal(("timed", (double?)1796000000.1), Seen(seen.ExpectMsg<AddFrame>()));
        Assert.Equal(("whole", (double?)1796000001), Seen(seen.ExpectMsg<AddFrame>()));
        Assert.Equal(("untimed", (double?)null), Seen(seen.ExpectMsg<AddFrame>()));
        await AwaitAssertAsync(async () => Assert.Equal(3, (await SnapshotAsync(key)).FrameCount));
        Assert.Equal(0, Counters.Total);

        static (string?, double?) Seen(AddFrame frame) => (frame.FrameId, frame.CaptureTime);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("0")]
    [InlineData("-1796000000.1")]
    [InlineData("1796000000,100")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    public async Task A_frame_with_a_bad_Frame_Time_is_counted_and_skipped_and_the_next_one_flows(string frameTime)
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        var bad = RawHeaders(key, 4, 2, frameId: "bad");
        bad[NatsHeaderNames.FrameTime] = frameTime;

        await PublishFrameAsync(new byte[4 * 2 * 3], bad);
        await PublishFrameAsync(new byte[4 * 2 * 3], RawHeaders(key, 4, 2, frameId: "good"));

        await AwaitAssertAsync(async () => Assert.Equal(1, (await SnapshotAsync(key)).FrameCount));
        AwaitCount(BadInputReason.InvalidFrameTime, 1);
        Assert.Equal(1, Counters.Total);
    }

    /// <summary>Stands in for the region: forwards everything to it (replies go to the bridge) and shows one key's frames to a probe.</summary>
    private sealed class Tap : ReceiveActor
    {
        public Tap(IActorRef region, string key, IActorRef probe) =>
            ReceiveAny(message =>
            {
                if (message is AddFrame frame && frame.TaskKey == key) probe.Tell(frame);
                region.Forward(message);
            });
    }
}
