using OpenCvSharp;
using Registrator.Media.Tests.Support;

namespace Registrator.Media.Tests;

public sealed class JpegKeyframeTests
{
    [Theory]
    [InlineData(640, 480)]
    [InlineData(641, 481)]
    public void Encode_produces_a_JPEG_of_the_frame_size_and_colour(int width, int height)
    {
        var frame = Pictures.Solid(width, height, blue: 30, green: 140, red: 220);

        var jpeg = JpegKeyframe.Encode(frame, width, height, quality: 90);

        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
        Assert.Equal(width, decoded.Width);
        Assert.Equal(height, decoded.Height);
        var mean = Cv2.Mean(decoded);
        Assert.InRange(mean.Val0, 25, 35);
        Assert.InRange(mean.Val1, 135, 145);
        Assert.InRange(mean.Val2, 215, 225);
    }

    [Fact]
    public void Encode_honours_the_quality_setting()
    {
        var frame = FfmpegCli.TestSource(320, 240, 1)[0];

        var low = JpegKeyframe.Encode(frame, 320, 240, quality: 20);
        var high = JpegKeyframe.Encode(frame, 320, 240, quality: 95);

        Assert.True(high.Length > low.Length, $"quality 95 gave {high.Length} bytes, quality 20 gave {low.Length}");
    }

    [Fact]
    public void Encode_rejects_a_frame_of_the_wrong_byte_count()
    {
        var frame = new byte[100];

        var failure = Assert.Throws<MediaException>(() => JpegKeyframe.Encode(frame, 10, 10, 90));

        Assert.Contains("100", failure.Message, StringComparison.Ordinal);
        Assert.Contains("300", failure.Message, StringComparison.Ordinal);
    }
}
