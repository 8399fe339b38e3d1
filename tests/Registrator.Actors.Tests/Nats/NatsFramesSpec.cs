using NATS.Client.Core;
using OpenCvSharp;
using Registrator.Actors.Encoding;
using Registrator.Actors.Nats;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tests.Nats;

public sealed class NatsFramesSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    [Fact]
    public async Task A_JPEG_frame_is_decoded_to_BGR24_and_buffered_at_its_size()
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
            Assert.Equal((1, 64, 48, 64L * 48 * 3), (snapshot.FrameCount, snapshot.FrameWidth, snapshot.FrameHeight, snapshot.BufferedBytes));
        });
        Region.Tell(new RegisterTask(key, """{"frame_id":"frame_007"}"""), TestActor);
        var job = Encoder.ExpectMsg<EncodeJob>();
        var frame = Assert.Single(job.Frames);
        Assert.Equal("frame_007", frame.FrameId);
        Assert.InRange(frame.Pixels[0], 0, 10);
        Assert.InRange(frame.Pixels[1], 0, 10);
        Assert.InRange(frame.Pixels[2], 245, 255);
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
        Region.Tell(new RegisterTask(key, "{}"), TestActor);
        var frame = Assert.Single(Encoder.ExpectMsg<EncodeJob>().Frames);
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
        Region.Tell(new RegisterTask(key, "{}"), TestActor);
        var frames = Encoder.ExpectMsg<EncodeJob>().Frames;
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{i}"), frames.Select(f => f.FrameId));
    }
}
