using Registrator.Media.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Media.Tests;

public sealed class H264DecoderTests(ITestOutputHelper output)
{
    private static readonly EncoderOptions Options = new() { Keyint = 10 };

    [Fact]
    public void The_last_picture_of_a_GOP_prefix_is_its_source_frame_and_not_a_neighbour()
    {
        var frames = FfmpegCli.TestSource(640, 480, 20);
        var packets = Sessions.Encode(frames, 640, 480, Options);

        // Frame 16 from the keyframe at 10: packets 10..16.
        var picture = H264Decoder.DecodeLastPicture(packets[10..17], 640, 480);

        var own = Pictures.Psnr(frames[16], picture);
        var before = Pictures.Psnr(frames[15], picture);
        var after = Pictures.Psnr(frames[17], picture);
        output.WriteLine($"frame 16 decoded: PSNR {own:F2} dB against itself, {before:F2} against 15, {after:F2} against 17");
        Assert.True(own > 30, $"PSNR {own:F1} dB");
        Assert.True(own > before + 3 && own > after + 3, $"{own:F1} dB vs neighbours {before:F1} / {after:F1} dB");
    }

    [Theory]
    [InlineData(642, 480)]
    [InlineData(641, 479)]
    [InlineData(1282, 722)]
    public void Pictures_of_widths_off_the_vector_size_decode_exactly_as_the_ffmpeg_CLI_decodes_them(int width, int height)
    {
        // A tightly packed BGR24 output row of 642 pixels once came out scrambled (27 dB): the
        // conversion must go through an aligned frame whatever the width.
        using var root = new TempDirectory();
        var frames = FfmpegCli.TestSource((width + 1) & ~1, (height + 1) & ~1, 3)
            .Select(frame => Pictures.Crop(frame, (width + 1) & ~1, width, height))
            .ToList();
        var packets = Sessions.Encode(frames, width, height, Options);
        var files = ClipWriter.Write(new PacketClipRequest(Guid.NewGuid(), width, height, packets, 2, frames[2], root.Path), Options);

        var ours = H264Decoder.DecodeLastPicture(packets, width, height);
        var cli = Pictures.Crop(FfmpegCli.Decode(files.VideoPath, (width + 1) & ~1, (height + 1) & ~1)[2], (width + 1) & ~1, width, height);

        Assert.Equal(cli, ours);
        var psnr = Pictures.Psnr(frames[2], ours);
        output.WriteLine($"{width}x{height}: frame 2 decoded at PSNR {psnr:F2} dB, identical to the CLI's decode");
        Assert.True(psnr > 30, $"PSNR {psnr:F1} dB");
    }

    [Fact]
    public void A_single_keyframe_decodes_to_its_frame()
    {
        var frames = FfmpegCli.TestSource(320, 240, 3);
        var packets = Sessions.Encode(frames, 320, 240, Options);

        var picture = H264Decoder.DecodeLastPicture(packets[..1], 320, 240);

        Assert.True(Pictures.Psnr(frames[0], picture) > 30);
    }

    [Fact]
    public void Colours_come_back_in_BGR_order()
    {
        var red = Pictures.Solid(64, 48, blue: 0, green: 0, red: 255);
        var blue = Pictures.Solid(64, 48, blue: 255, green: 0, red: 0);
        var packets = Sessions.Encode([red, blue], 64, 48, Options);

        var first = Pictures.MeanColour(H264Decoder.DecodeLastPicture(packets[..1], 64, 48), 64, 0, 0, 64, 48);
        var second = Pictures.MeanColour(H264Decoder.DecodeLastPicture(packets, 64, 48), 64, 0, 0, 64, 48);

        Assert.True(first.Red > 230 && first.Blue < 25 && first.Green < 25, $"red frame decoded as {first}");
        Assert.True(second.Blue > 230 && second.Red < 25 && second.Green < 25, $"blue frame decoded as {second}");
    }

    [Fact]
    public void Packets_that_do_not_start_on_a_keyframe_are_rejected()
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 3), 64, 48, Options);

        var failure = Assert.Throws<MediaException>(() => H264Decoder.DecodeLastPicture(packets[1..], 64, 48));

        Assert.Contains("keyframe", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_packets_are_rejected()
    {
        Assert.Throws<MediaException>(() => H264Decoder.DecodeLastPicture([], 64, 48));
    }

    [Fact]
    public void A_size_other_than_the_streams_is_rejected_naming_both()
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 2), 64, 48, Options);

        var failure = Assert.Throws<MediaException>(() => H264Decoder.DecodeLastPicture(packets, 32, 24));

        Assert.Contains("64x48", failure.Message, StringComparison.Ordinal);
        Assert.Contains("32x24", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_does_not_decode_to_a_picture()
    {
        var garbage = new EncodedPacket([0, 0, 0, 1, 0x65, 1, 2, 3, 4, 5], 0, IsKeyframe: true);

        Assert.Throws<MediaException>(() => H264Decoder.DecodeLastPicture([garbage], 64, 48));
    }
}
