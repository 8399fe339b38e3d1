using System.Diagnostics;
using Registrator.Media.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Media.Tests;

public sealed class H264SessionTests(ITestOutputHelper output)
{
    private static readonly EncoderOptions Options = new();

    [Fact]
    public void A_session_at_keyint_10_makes_a_keyframe_exactly_every_10_frames()
    {
        var frames = FfmpegCli.TestSource(320, 240, 35);

        var packets = Sessions.Encode(frames, 320, 240, Options with { Keyint = 10 });

        Assert.Equal(35, packets.Count);
        Assert.Equal([0, 10, 20, 30], KeyframeIndices(packets));
    }

    [Fact]
    public void Keyint_0_means_one_second_of_frames()
    {
        var options = Options with { FramesPerSecond = 5 };
        Assert.Equal(5, options.EffectiveKeyint);

        var packets = Sessions.Encode(Pictures.Moving(64, 48, 12), 64, 48, options);

        Assert.Equal([0, 5, 10], KeyframeIndices(packets));
    }

    [Fact]
    public void A_forced_keyframe_is_an_IDR_and_the_GOP_restarts_from_it()
    {
        var frames = FfmpegCli.TestSource(320, 240, 40);

        var packets = Sessions.Encode(frames, 320, 240, Options with { Keyint = 10 }, forceKeyframesAt: [13, 25]);

        Assert.Equal([0, 10, 13, 23, 25, 35], KeyframeIndices(packets));
    }

    [Fact]
    public void The_first_frame_is_a_keyframe_whatever_its_pts()
    {
        using var session = new H264Session(64, 48, Options);

        var first = session.Encode(Pictures.Solid(64, 48, 1, 2, 3), pts: 1_000_000, forceKeyframe: false);
        var second = session.Encode(Pictures.Solid(64, 48, 1, 2, 3), pts: 1_000_001, forceKeyframe: false);

        Assert.True(first.IsKeyframe);
        Assert.False(second.IsKeyframe);
        Assert.Equal((1_000_000L, 1_000_001L), (first.Pts, second.Pts));
    }

    [Fact]
    public void Keyframes_are_IDRs_carrying_SPS_and_PPS_in_band_and_other_packets_are_plain_slices()
    {
        var packets = Sessions.Encode(Pictures.Moving(160, 120, 12), 160, 120, Options with { Keyint = 5 }, forceKeyframesAt: [7]);

        foreach (var (packet, i) in packets.Select((p, i) => (p, i)))
        {
            var types = Sessions.NalTypes(packet);
            if (packet.IsKeyframe)
            {
                Assert.True(types.Contains(7) && types.Contains(8) && types.Contains(5), $"keyframe {i} has NAL types {string.Join(',', types)}");
                Assert.True(types.IndexOf(7) < types.IndexOf(5) && types.IndexOf(8) < types.IndexOf(5), $"keyframe {i}: SPS/PPS after the slice");
            }
            else
            {
                Assert.True(types.All(type => type is 1 or 6), $"packet {i} has NAL types {string.Join(',', types)}");
            }
        }
    }

    [Fact]
    public void Each_Encode_returns_the_packet_of_that_frame_and_counts_it()
    {
        using var session = new H264Session(320, 240, Options);
        var frames = Pictures.Moving(320, 240, 6);

        for (var i = 0; i < frames.Count; i++)
        {
            var packet = session.Encode(frames[i], pts: 3 * i, forceKeyframe: false);
            Assert.Equal(3L * i, packet.Pts);
            Assert.NotEmpty(packet.Data);
            Assert.Equal(i + 1, session.FramesEncoded);
        }
    }

    [Fact]
    public void Packets_of_640x480_natural_content_are_a_few_kB_and_decode_back_above_30_dB()
    {
        var frames = FfmpegCli.TestSource(640, 480, 30);

        var stopwatch = Stopwatch.StartNew();
        var packets = Sessions.Encode(frames, 640, 480, Options);
        var elapsed = stopwatch.Elapsed;

        var inter = packets.Where(p => !p.IsKeyframe).Select(p => p.Data.Length).ToList();
        var key = packets.Where(p => p.IsKeyframe).Select(p => p.Data.Length).ToList();
        output.WriteLine(
            $"640x480 testsrc2, veryfast crf 23, 30 frames in {elapsed.TotalMilliseconds:F0} ms (with open) = {30 / elapsed.TotalSeconds:F0} frames/s; " +
            $"keyframes {string.Join(", ", key)} B; other packets mean {inter.Average():F0} B, max {inter.Max()} B");
        Assert.True(inter.Average() < 16 * 1024, $"mean non-key packet {inter.Average():F0} B");
        Assert.True(key.Max() < 128 * 1024, $"largest keyframe {key.Max()} B");

        // The last GOP, decoded in-process, is the source frame by frame.
        var lastPicture = H264Decoder.DecodeLastPicture(packets[20..], 640, 480);
        var psnr = Pictures.Psnr(frames[29], lastPicture);
        output.WriteLine($"frame 29 decoded from its GOP: PSNR {psnr:F2} dB");
        Assert.True(psnr > 30, $"PSNR {psnr:F1} dB");
    }

    [Theory]
    [InlineData(641, 479)]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    public void Odd_sizes_are_encoded_at_the_next_even_size(int width, int height)
    {
        using var session = new H264Session(width, height, Options);

        var packets = Pictures.Moving(width, height, 3).Select((frame, i) => session.Encode(frame, i, false)).ToList();

        Assert.Equal((width, height), (session.Width, session.Height));
        Assert.Equal(((width + 1) & ~1, (height + 1) & ~1), (session.EncodedWidth, session.EncodedHeight));
        Assert.True(packets[0].IsKeyframe);
        var decoded = H264Decoder.DecodeLastPicture(packets, width, height);
        Assert.Equal(width * height * 3, decoded.Length);
    }

    [Fact]
    public void Odd_sized_natural_frames_keep_their_quality()
    {
        // testsrc2 only renders even sizes, so an odd input is cut from a larger one.
        var frames = FfmpegCli.TestSource(642, 480, 6).Select(f => Pictures.Crop(f, 642, 641, 479)).ToList();

        var packets = Sessions.Encode(frames, 641, 479, Options);

        var decoded = H264Decoder.DecodeLastPicture(packets, 641, 479);
        var psnr = Pictures.Psnr(frames[^1], decoded);
        output.WriteLine($"641x479 testsrc2, frame 5: PSNR {psnr:F2} dB");
        Assert.True(psnr > 30, $"PSNR {psnr:F1} dB over the original 641x479 area");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9215)]
    [InlineData(9217)]
    public void A_frame_of_the_wrong_byte_count_is_rejected_naming_both_sizes(int length)
    {
        using var session = new H264Session(64, 48, Options);

        var failure = Assert.Throws<MediaException>(() => session.Encode(new byte[length], 0, false));

        Assert.Contains($"has {length} bytes", failure.Message, StringComparison.Ordinal);
        Assert.Contains("9216", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, session.FramesEncoded);
        // Invalid input leaves the session usable.
        Assert.True(session.Encode(Pictures.Solid(64, 48, 9, 9, 9), 0, false).IsKeyframe);
    }

    [Fact]
    public void A_null_frame_is_rejected()
    {
        using var session = new H264Session(64, 48, Options);

        Assert.Throws<MediaException>(() => session.Encode(null!, 0, false));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public void A_pts_that_does_not_increase_is_rejected_and_the_session_stays_usable(long nextPts)
    {
        using var session = new H264Session(64, 48, Options);
        var frame = Pictures.Solid(64, 48, 10, 20, 30);
        session.Encode(frame, 5, false);

        var failure = Assert.Throws<MediaException>(() => session.Encode(frame, nextPts, false));

        Assert.Contains("pts", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, session.FramesEncoded);
        Assert.Equal(6L, session.Encode(frame, 6, false).Pts);
    }

    [Fact]
    public void A_negative_pts_is_rejected()
    {
        using var session = new H264Session(64, 48, Options);

        Assert.Throws<MediaException>(() => session.Encode(Pictures.Solid(64, 48, 1, 1, 1), -1, false));
    }

    [Theory]
    [InlineData(0, 48)]
    [InlineData(64, -2)]
    [InlineData(16385, 48)]
    public void A_bad_size_is_rejected(int width, int height)
    {
        Assert.Throws<MediaException>(() => new H264Session(width, height, Options));
    }

    [Fact]
    public void Unknown_preset_is_reported_as_a_MediaException()
    {
        var failure = Assert.Throws<MediaException>(() => new H264Session(64, 48, Options with { Preset = "warp-speed" }));

        Assert.Contains("warp-speed", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10001)]
    public void Keyint_out_of_range_is_rejected(int keyint)
    {
        var failure = Assert.Throws<MediaException>(() => new H264Session(64, 48, Options with { Keyint = keyint }));

        Assert.Contains("Keyint", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_after_Dispose_is_rejected()
    {
        var session = new H264Session(64, 48, Options);
        session.Dispose();
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Encode(Pictures.Solid(64, 48, 1, 2, 3), 0, false));
    }

    [Fact]
    public void Estimated_native_bytes_grow_with_the_frame_size()
    {
        var small = H264Session.EstimatedNativeBytes(64, 48);
        var vga = H264Session.EstimatedNativeBytes(640, 480);
        var hd = H264Session.EstimatedNativeBytes(1920, 1080);

        Assert.True(small > 0 && small < vga && vga < hd, $"{small}, {vga}, {hd}");
        Assert.Equal(vga, H264Session.EstimatedNativeBytes(639, 479));
    }

    private static List<int> KeyframeIndices(IReadOnlyList<EncodedPacket> packets) =>
        packets.Select((packet, i) => (packet, i)).Where(p => p.packet.IsKeyframe).Select(p => p.i).ToList();
}
