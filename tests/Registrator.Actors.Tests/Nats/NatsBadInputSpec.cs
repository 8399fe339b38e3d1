using NATS.Client.Core;
using OpenCvSharp;
using Registrator.Actors.Nats;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Nats;

/// <summary>Each kind of bad input is counted by its reason and skipped, and the next good message still flows.</summary>
public sealed class NatsBadInputSpec(ITestOutputHelper output) : NatsBridgeSpec(output, """
    registrator.nats.max-payload = 1KiB
    registrator.nats.max-frame-payload = 64KiB
    """)
{
    private const string Oversized = "OVERSIZED";

    [Theory]
    [InlineData("{\"key\": \"broken", BadInputReason.InvalidJson)]
    [InlineData("", BadInputReason.InvalidJson)]
    [InlineData("[1, 2, 3]", BadInputReason.NotAnObject)]
    [InlineData("\"camera-1\"", BadInputReason.NotAnObject)]
    [InlineData("{\"model\": \"yolo\", \"detected\": true}", BadInputReason.MissingKey)]
    [InlineData("{\"key\": \"\", \"detected\": true}", BadInputReason.MissingKey)]
    [InlineData("{\"key\": 42, \"detected\": true}", BadInputReason.MissingKey)]
    [InlineData("{\"key\": \"k\", \"detected\": \"yes\"}", BadInputReason.InvalidResult)]
    [InlineData("{\"key\": \"k\", \"model\": \"yolo\"}", BadInputReason.InvalidResult)]
    [InlineData("{\"key\": \"k\", \"result\": {\"scores\": [\"high\"]}}", BadInputReason.InvalidResult)]
    [InlineData(Oversized, BadInputReason.PayloadTooLarge)]
    public async Task A_bad_inference_result_is_counted_and_skipped_and_the_next_one_flows(string payload, BadInputReason reason)
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        if (payload == Oversized) payload = Result(key, detected: true, frameId: new string('x', 2048));

        await PublishResultAsync(payload);
        await PublishResultAsync(Result(key, detected: true));

        await AwaitAssertAsync(async () => Assert.Equal(new[] { true }, await StatusesAsync(key)));
        AwaitCount(reason, 1);
        Assert.Equal(1, Counters.Total);
    }

    public static TheoryData<string, BadInputReason> BadFrames => new()
    {
        { "no Task-Key header", BadInputReason.MissingKey },
        { "no Content-Type", BadInputReason.UnsupportedContentType },
        { "text/plain", BadInputReason.UnsupportedContentType },
        { "JPEG that is not a JPEG", BadInputReason.UndecodableImage },
        { "JPEG header without image data", BadInputReason.UndecodableImage },
        { "JPEG decoding beyond max-frame-payload", BadInputReason.PayloadTooLarge },
        { "raw without Frame-Width", BadInputReason.InvalidFrameSize },
        { "raw with Frame-Width abc", BadInputReason.InvalidFrameSize },
        { "raw with Frame-Height -2", BadInputReason.InvalidFrameSize },
        { "raw one byte short", BadInputReason.FrameSizeMismatch },
        { "raw one byte long", BadInputReason.FrameSizeMismatch },
        { "raw beyond max-frame-payload", BadInputReason.PayloadTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task A_bad_frame_is_counted_and_skipped_and_the_next_one_flows(string kind, BadInputReason reason)
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        var (payload, headers) = BadFrame(kind, key);

        await PublishFrameAsync(payload, headers);
        await PublishFrameAsync(new byte[4 * 2 * 3], RawHeaders(key, 4, 2));

        await AwaitAssertAsync(async () => Assert.Equal((1, 4, 2), await FrameInfo(key)));
        AwaitCount(reason, 1);
        Assert.Equal(1, Counters.Total);
    }

    [Fact]
    public async Task A_frame_its_task_rejects_is_counted_and_the_next_one_flows()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();

        // Timed 1/10 s apart: untimed frames this close together would be one frame interval, the second skipped.
        await PublishFrameAsync(new byte[4 * 2 * 3], Timed(RawHeaders(key, 4, 2), 0));
        await PublishFrameAsync(new byte[8 * 4 * 3], Timed(RawHeaders(key, 8, 4), 0.1)); // another size in the same cycle
        await PublishFrameAsync(new byte[4 * 2 * 3], Timed(RawHeaders(key, 4, 2), 0.2));

        await AwaitAssertAsync(async () => Assert.Equal((2, 4, 2), await FrameInfo(key)));
        AwaitCount(BadInputReason.TaskRejected, 1);
    }

    [Theory]
    [InlineData("not json", BadInputReason.InvalidJson)]
    [InlineData("[]", BadInputReason.NotAnObject)]
    [InlineData("{\"command\": \"fly\", \"key\": \"k\"}", BadInputReason.UnknownCommand)]
    [InlineData("{\"key\": \"k\"}", BadInputReason.UnknownCommand)]
    [InlineData("{\"command\": \"get\"}", BadInputReason.MissingKey)]
    [InlineData("{\"command\": \"get\", \"key\": \"\"}", BadInputReason.MissingKey)]
    [InlineData("{\"command\": \"add-status\", \"key\": \"k\"}", BadInputReason.InvalidCommand)]
    [InlineData("{\"command\": \"add-status\", \"key\": \"k\", \"flag\": \"true\"}", BadInputReason.InvalidCommand)]
    [InlineData("{\"command\": \"register\", \"key\": \"k\", \"message\": \"text\"}", BadInputReason.InvalidCommand)]
    [InlineData(Oversized, BadInputReason.PayloadTooLarge)]
    public async Task A_bad_command_answers_ok_false_with_the_error_and_is_counted(string request, BadInputReason reason)
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        if (request == Oversized) request = $$"""{"command":"create","key":"k","pad":"{{new string('x', 2048)}}"}""";

        var reply = await RequestAsync(request);

        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(reply.GetProperty("error").GetString()));
        AwaitCount(reason, 1);
        var key = NewKey();
        Assert.True((await RequestAsync($$"""{"command":"create","key":"{{key}}"}""")).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_flood_of_bad_input_is_counted_in_full_and_the_bridge_keeps_working()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();

        for (var i = 0; i < 2_000; i++) await PublishResultAsync(i % 2 == 0 ? "{oops" : "[]");
        await PublishResultAsync(Result(key, detected: true));

        await AwaitAssertAsync(async () => Assert.Equal(new[] { true }, await StatusesAsync(key)), TimeSpan.FromSeconds(30));
        AwaitCount(BadInputReason.InvalidJson, 1_000);
        AwaitCount(BadInputReason.NotAnObject, 1_000);
    }

    private async Task<(int Count, int Width, int Height)> FrameInfo(string key)
    {
        var snapshot = await SnapshotAsync(key);
        return (snapshot.FrameCount, snapshot.FrameWidth, snapshot.FrameHeight);
    }

    private static (byte[] Payload, NatsHeaders Headers) BadFrame(string kind, string key)
    {
        var raw = new byte[4 * 2 * 3];
        NatsHeaders Jpeg() => new() { [NatsHeaderNames.TaskKey] = key, [NatsHeaderNames.ContentType] = NatsHeaderNames.Jpeg };
        NatsHeaders Without(NatsHeaders headers, string name)
        {
            headers.Remove(name);
            return headers;
        }
        NatsHeaders With(NatsHeaders headers, string name, string value)
        {
            headers[name] = value;
            return headers;
        }
        return kind switch
        {
            "no Task-Key header" => (raw, Without(RawHeaders(key, 4, 2), NatsHeaderNames.TaskKey)),
            "no Content-Type" => (raw, Without(RawHeaders(key, 4, 2), NatsHeaderNames.ContentType)),
            "text/plain" => (raw, With(RawHeaders(key, 4, 2), NatsHeaderNames.ContentType, "text/plain")),
            "JPEG that is not a JPEG" => (System.Text.Encoding.ASCII.GetBytes("certainly not a jpeg"), Jpeg()),
            "JPEG header without image data" => (JpegOf(16, 16)[..200], Jpeg()),
            "JPEG decoding beyond max-frame-payload" => (JpegOf(200, 200), Jpeg()),
            "raw without Frame-Width" => (raw, Without(RawHeaders(key, 4, 2), NatsHeaderNames.FrameWidth)),
            "raw with Frame-Width abc" => (raw, With(RawHeaders(key, 4, 2), NatsHeaderNames.FrameWidth, "abc")),
            "raw with Frame-Height -2" => (raw, With(RawHeaders(key, 4, 2), NatsHeaderNames.FrameHeight, "-2")),
            "raw one byte short" => (raw[..^1], RawHeaders(key, 4, 2)),
            "raw one byte long" => ([.. raw, 0], RawHeaders(key, 4, 2)),
            "raw beyond max-frame-payload" => (new byte[160 * 160 * 3], RawHeaders(key, 160, 160)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    private static byte[] JpegOf(int width, int height)
    {
        using var image = new Mat(height, width, MatType.CV_8UC3, new Scalar(40, 80, 120));
        Cv2.ImEncode(".jpg", image, out var jpeg);
        return jpeg;
    }
}
