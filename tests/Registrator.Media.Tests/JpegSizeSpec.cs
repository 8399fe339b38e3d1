using OpenCvSharp;

namespace Registrator.Media.Tests;

/// <summary>The JPEG header reader that bounds decoding before any pixel memory is allocated.</summary>
public sealed class JpegSizeSpec
{
    [Theory]
    [InlineData(64, 48, ".jpg")]
    [InlineData(1, 1, ".jpg")]
    [InlineData(641, 479, ".jpg")]
    public void The_size_is_read_from_the_frame_header(int width, int height, string extension)
    {
        using var image = new Mat(height, width, MatType.CV_8UC3, new Scalar(1, 2, 3));
        Cv2.ImEncode(extension, image, out var jpeg);

        Assert.True(JpegSize.TryRead(jpeg, out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Fact]
    public void A_progressive_JPEG_is_read_too()
    {
        using var image = new Mat(30, 40, MatType.CV_8UC3, new Scalar(9, 8, 7));
        Cv2.ImEncode(".jpg", image, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegProgressive, 1));

        Assert.True(JpegSize.TryRead(jpeg, out var w, out var h));
        Assert.Equal((40, 30), (w, h));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xFF, 0xD8 })]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01 })]
    public void Anything_else_has_no_size(byte[] data)
    {
        Assert.False(JpegSize.TryRead(data, out _, out _));
    }
}
