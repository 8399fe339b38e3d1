using Xunit.Abstractions;
using Registrator.Media.Tests.Support;

namespace Registrator.Media.Tests;

public sealed class Mp4WriterTests(ITestOutputHelper output) : IDisposable
{
    private static readonly EncoderOptions Options = new();
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(300)]
    public void Clip_is_H264_yuv420p_at_10_fps_with_every_input_frame(int frameCount)
    {
        var path = _folder.File("clip.mp4");

        Encode(path, 640, 480, Pictures.Moving(640, 480, frameCount));

        var stream = FfmpegCli.Probe(path);
        Assert.Equal("h264", stream.CodecName);
        Assert.Equal("yuv420p", stream.PixelFormat);
        Assert.Equal((640, 480), (stream.Width, stream.Height));
        Assert.Equal("10/1", stream.FrameRate);
        Assert.Equal("10/1", stream.AverageFrameRate);
        Assert.Equal(frameCount, stream.FramesRead);
    }

    [Fact]
    public void Decoded_clip_matches_natural_input_above_30_dB()
    {
        var input = FfmpegCli.TestSource(640, 480, 30);
        var path = _folder.File("clip.mp4");

        Encode(path, 640, 480, input);

        var decoded = FfmpegCli.Decode(path, 640, 480);
        var psnr = Pictures.MeanPsnr(input, decoded);
        output.WriteLine($"640x480 testsrc2, 30 frames: mean PSNR {psnr:F2} dB");
        Assert.True(psnr > 30, $"mean PSNR {psnr:F1} dB");
    }

    [Fact]
    public void Each_colour_channel_survives_in_place_so_red_and_blue_are_not_swapped()
    {
        var input = FfmpegCli.TestSource(640, 480, 10);
        var path = _folder.File("clip.mp4");

        Encode(path, 640, 480, input);

        var decoded = FfmpegCli.Decode(path, 640, 480);
        for (var channel = 0; channel < 3; channel++)
        {
            var psnr = Pictures.MeanPsnr(input, decoded, channel);
            output.WriteLine($"channel {channel}: mean PSNR {psnr:F2} dB");
            Assert.True(psnr > 30, $"channel {channel} (0 blue, 1 green, 2 red): mean PSNR {psnr:F1} dB");
        }
    }

    [Fact]
    public void Solid_red_stays_red_and_solid_blue_stays_blue()
    {
        var path = _folder.File("clip.mp4");

        Encode(path, 64, 48, [Pictures.Solid(64, 48, 0, 0, 255), Pictures.Solid(64, 48, 255, 0, 0)]);

        var decoded = FfmpegCli.Decode(path, 64, 48);
        var red = Pictures.MeanColour(decoded[0], 64, 0, 0, 64, 48);
        var blue = Pictures.MeanColour(decoded[1], 64, 0, 0, 64, 48);
        Assert.True(red.Red > 230 && red.Blue < 25 && red.Green < 25, $"red frame decoded as {red}");
        Assert.True(blue.Blue > 230 && blue.Red < 25 && blue.Green < 25, $"blue frame decoded as {blue}");
    }

    [Fact]
    public void Odd_sized_frames_are_padded_to_even_by_repeating_the_last_column_and_row()
    {
        var path = _folder.File("odd.mp4");
        var frames = Enumerable.Range(0, 5).Select(_ => Pictures.Solid(641, 481, blue: 60, green: 180, red: 220)).ToList();

        using (var writer = new Mp4Writer(path, 641, 481, Options))
        {
            Assert.Equal((642, 482), (writer.EncodedWidth, writer.EncodedHeight));
            frames.ForEach(writer.Write);
            writer.Finish();
        }

        var stream = FfmpegCli.Probe(path);
        Assert.Equal((642, 482, 5), (stream.Width, stream.Height, stream.FramesRead));
        var decoded = FfmpegCli.Decode(path, 642, 482)[^1];
        var padColumn = Pictures.MeanColour(decoded, 642, 641, 0, 642, 482);
        var padRow = Pictures.MeanColour(decoded, 642, 0, 481, 642, 482);
        foreach (var (name, colour) in new[] { ("column", padColumn), ("row", padRow) })
        {
            Assert.True(
                Math.Abs(colour.Blue - 60) < 8 && Math.Abs(colour.Green - 180) < 8 && Math.Abs(colour.Red - 220) < 8,
                $"padded {name} decoded as {colour}, expected about (60, 180, 220)");
        }
    }

    [Fact]
    public void Odd_sized_natural_frames_keep_their_quality()
    {
        // testsrc2 only renders even sizes, so an odd input is cut from a larger one.
        var input = FfmpegCli.TestSource(642, 482, 10).Select(frame => Crop(frame, 642, 641, 481)).ToList();
        var path = _folder.File("odd.mp4");

        Encode(path, 641, 481, input);

        var decoded = FfmpegCli.Decode(path, 642, 482).Select(frame => Crop(frame, 642, 641, 481)).ToList();
        var psnr = Pictures.MeanPsnr(input, decoded);
        output.WriteLine($"641x481 testsrc2, 10 frames: mean PSNR {psnr:F2} dB");
        Assert.True(psnr > 30, $"mean PSNR {psnr:F1} dB over the original 641x481 area");
    }

    [Fact]
    public void Finish_without_frames_is_rejected()
    {
        using var writer = new Mp4Writer(_folder.File("empty.mp4"), 64, 48, Options);

        var failure = Assert.Throws<MediaException>(writer.Finish);

        Assert.Equal("no frames to encode", failure.Message);
    }

    [Fact]
    public void Write_after_Finish_is_rejected()
    {
        using var writer = new Mp4Writer(_folder.File("done.mp4"), 64, 48, Options);
        writer.Write(Pictures.Solid(64, 48, 1, 2, 3));
        writer.Finish();

        Assert.Throws<InvalidOperationException>(() => writer.Write(Pictures.Solid(64, 48, 1, 2, 3)));
    }

    [Fact]
    public void Unknown_preset_is_reported_as_a_MediaException()
    {
        var failure = Assert.Throws<MediaException>(
            () => new Mp4Writer(_folder.File("bad.mp4"), 64, 48, Options with { Preset = "warp-speed" }));

        Assert.Contains("warp-speed", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_threaded_encoding_produces_the_same_kind_of_clip()
    {
        var path = _folder.File("single.mp4");

        Encode(path, 640, 480, Pictures.Moving(640, 480, 12), Options with { Threads = 1 });

        var stream = FfmpegCli.Probe(path);
        Assert.Equal(("h264", 12), (stream.CodecName, stream.FramesRead));
    }

    private static void Encode(string path, int width, int height, IReadOnlyList<BgrFrame> frames, EncoderOptions? options = null)
    {
        using var writer = new Mp4Writer(path, width, height, options ?? Options);
        foreach (var frame in frames)
        {
            writer.Write(frame);
        }

        writer.Finish();
    }

    private static BgrFrame Crop(BgrFrame frame, int stride, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            Array.Copy(frame.Pixels, y * stride * 3, pixels, y * width * 3, width * 3);
        }

        return new BgrFrame(pixels);
    }
}
