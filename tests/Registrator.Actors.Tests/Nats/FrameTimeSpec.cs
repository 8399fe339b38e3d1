using Microsoft.Extensions.Primitives;
using NATS.Client.Core;
using OpenCvSharp;
using Registrator.Actors.Configuration;
using Registrator.Actors.Nats;
using Xunit;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tests.Nats;

/// <summary>The <c>Frame-Time</c> header of <c>registrator.frames</c> on its own, without an actor system or a server.</summary>
public sealed class FrameTimeSpec
{
    private static readonly NatsSettings Settings = RegistratorSettings.Defaults.Nats;

    private static NatsHeaders Raw(string? frameTime)
    {
        var headers = new NatsHeaders
        {
            [NatsHeaderNames.TaskKey] = "camera-1",
            [NatsHeaderNames.ContentType] = NatsHeaderNames.Bgr24,
            [NatsHeaderNames.FrameWidth] = "2",
            [NatsHeaderNames.FrameHeight] = "1",
        };
        if (frameTime is not null) headers[NatsHeaderNames.FrameTime] = frameTime;
        return headers;
    }

    private static Parsed<AddFrame> Parse(NatsHeaders headers, byte[]? payload = null)
    {
        payload ??= new byte[2 * 1 * 3];
        return FrameMessage.ToAddFrame(headers, new Payload(payload, payload.Length), Settings);
    }

    [Theory]
    [InlineData("1796000000.100", 1796000000.1)]
    [InlineData("1796000000", 1796000000.0)]
    [InlineData("1796000000.", 1796000000.0)]
    [InlineData("0.001", 0.001)]
    [InlineData(".5", 0.5)]
    [InlineData("  1796000000.25 ", 1796000000.25)]
    [InlineData("1796000000.123456", 1796000000.123456)]
    public void A_plain_decimal_or_integer_Frame_Time_is_the_capture_time(string header, double expected)
    {
        var parsed = Parse(Raw(header));

        Assert.True(parsed.IsValid, parsed.Error?.Detail);
        Assert.Equal(expected, parsed.Value!.CaptureTime);
        Assert.Equal(("camera-1", 2, 1), (parsed.Value.TaskKey, parsed.Value.Width, parsed.Value.Height));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Without_a_Frame_Time_the_frame_has_no_capture_time(string? header)
    {
        var parsed = Parse(Raw(header));

        Assert.True(parsed.IsValid, parsed.Error?.Detail);
        Assert.Null(parsed.Value!.CaptureTime);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("0.000")]
    [InlineData("-1796000000.1")]
    [InlineData("+1796000000.1")]
    [InlineData("1796000000,100")]
    [InlineData("1,796,000,000")]
    [InlineData("1.796e9")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("∞")]
    [InlineData("0x6B0C4A80")]
    [InlineData("1796000000.1.2")]
    [InlineData("2026-11-30T12:00:00Z")]
    [InlineData("1796000000 100")]
    public void A_Frame_Time_that_is_not_a_finite_positive_decimal_drops_the_frame_as_bad_input(string header)
    {
        var parsed = Parse(Raw(header));

        Assert.False(parsed.IsValid);
        Assert.Null(parsed.Value);
        Assert.Equal(BadInputReason.InvalidFrameTime, parsed.Error!.Reason);
        Assert.Contains("camera-1", parsed.Error.Detail);
        Assert.Contains(NatsHeaderNames.FrameTime, parsed.Error.Detail);
    }

    [Fact]
    public void Digits_beyond_the_range_of_a_double_are_bad_input_not_infinity()
    {
        var parsed = Parse(Raw(new string('9', 400)));

        Assert.Equal(BadInputReason.InvalidFrameTime, parsed.Error?.Reason);
        Assert.True(parsed.Error!.Detail.Length < 300, "the detail quotes a shortened value");
    }

    [Fact]
    public void The_last_Frame_Time_value_counts_as_for_every_header()
    {
        var headers = Raw(null);
        headers[NatsHeaderNames.FrameTime] = new StringValues(["1.5", "1796000000.5"]);

        Assert.Equal(1796000000.5, Parse(headers).Value?.CaptureTime);
    }

    [Fact]
    public void The_reason_is_labelled_invalid_frame_time() =>
        Assert.Equal("invalid-frame-time", BadInputReason.InvalidFrameTime.Name());

    [Fact]
    public void A_bad_Frame_Time_is_reported_even_when_the_payload_is_also_bad()
    {
        // The time is checked before the payload is looked at: a bad time never costs a JPEG decode.
        var headers = Raw("yesterday");
        headers[NatsHeaderNames.ContentType] = NatsHeaderNames.Jpeg;

        Assert.Equal(BadInputReason.InvalidFrameTime, Parse(headers, [1, 2, 3]).Error?.Reason);
    }

    [Fact]
    public void A_JPEG_frame_carries_its_Frame_Time_and_Frame_Id_too()
    {
        using var image = new Mat(8, 16, MatType.CV_8UC3, new Scalar(10, 20, 30));
        Cv2.ImEncode(".jpg", image, out var jpeg);
        var headers = new NatsHeaders
        {
            [NatsHeaderNames.TaskKey] = "camera-2",
            [NatsHeaderNames.ContentType] = NatsHeaderNames.Jpeg,
            [NatsHeaderNames.FrameId] = "frame_001",
            [NatsHeaderNames.FrameTime] = "1796000000.040",
        };

        var parsed = Parse(headers, jpeg);

        Assert.True(parsed.IsValid, parsed.Error?.Detail);
        Assert.Equal(("camera-2", 16, 8, "frame_001", (double?)1796000000.04),
            (parsed.Value!.TaskKey, parsed.Value.Width, parsed.Value.Height, parsed.Value.FrameId, parsed.Value.CaptureTime));
    }

    [Theory]
    [InlineData("1796000000.100", true)]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("0", false)]
    [InlineData("nan", false)]
    public void TryCaptureTime_says_whether_the_value_is_usable(string? value, bool valid) =>
        Assert.Equal(valid, FrameMessage.TryCaptureTime(value, out _));
}
