using Registrator.Media.Tests.Support;

namespace Registrator.Media.Tests;

public sealed class JpegFrameTests
{
    [Fact]
    public void Decoding_into_a_reused_buffer_gives_each_frame_its_own_pixels()
    {
        var frames = FfmpegCli.TestSource(320, 240, 12);
        var buffer = new byte[320 * 240 * 3];

        var first = JpegKeyframe.Encode(frames[0], 320, 240, quality: 95);
        var last = JpegKeyframe.Encode(frames[11], 320, 240, quality: 95);

        JpegFrame.DecodeInto(first, 320, 240, buffer);
        var firstPsnr = (Pictures.Psnr(frames[0], buffer), Pictures.Psnr(frames[11], buffer));
        Assert.Equal(JpegFrame.Decode(first, 320, 240), buffer);
        JpegFrame.DecodeInto(last, 320, 240, buffer);

        Assert.Equal(JpegFrame.Decode(last, 320, 240), buffer);
        // Each time the buffer holds the frame just decoded, closer to it than to the other one.
        Assert.True(firstPsnr.Item1 > firstPsnr.Item2, $"first: {firstPsnr}");
        Assert.True(Pictures.Psnr(frames[11], buffer) > Pictures.Psnr(frames[0], buffer));
    }

    [Fact]
    public void A_buffer_of_another_size_is_refused()
    {
        var jpeg = JpegKeyframe.Encode(Pictures.Solid(32, 16, 10, 20, 30), 32, 16, quality: 90);

        Assert.Throws<ArgumentException>(() => JpegFrame.DecodeInto(jpeg, 32, 16, new byte[32 * 16 * 3 - 1]));
    }

    [Fact]
    public void A_JPEG_of_another_size_than_its_frame_says_is_a_media_error()
    {
        var jpeg = JpegKeyframe.Encode(Pictures.Solid(32, 16, 10, 20, 30), 32, 16, quality: 90);

        Assert.Throws<MediaException>(() => JpegFrame.DecodeInto(jpeg, 16, 32, new byte[32 * 16 * 3]));
    }
}
