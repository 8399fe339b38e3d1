using System.Text;
using OpenCvSharp;
using Registrator.Media.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Media.Tests;

public sealed class ClipWriterTests(ITestOutputHelper output) : IDisposable
{
    private static readonly EncoderOptions Options = new();

    private static readonly (byte Blue, byte Green, byte Red)[] Colours =
    [
        (255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 255, 255), (255, 0, 255),
    ];

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Write_publishes_the_clip_and_keyframe_under_the_event_id_and_leaves_no_temporaries()
    {
        var eventId = Guid.NewGuid();
        var packets = Sessions.Encode(Pictures.Moving(640, 480, 30), 640, 480);

        var files = ClipWriter.Write(Request(eventId, 640, 480, packets, keyframeIndex: 29), Options);

        var id = eventId.ToString("D");
        var folder = Path.Combine(_root.Path, id);
        Assert.Equal(Path.Combine(folder, id + ".mp4"), files.VideoPath);
        Assert.Equal(Path.Combine(folder, id + ".jpg"), files.ImagePath);
        Assert.Equal(id.ToLowerInvariant(), id);
        Assert.Equal(
            new[] { id + ".jpg", id + ".mp4" },
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal((eventId, 30, 29), (files.EventId, files.FrameCount, files.KeyframeIndex));
        Assert.True(files.EncodeTime > TimeSpan.Zero);
        output.WriteLine($"30 packets of 640x480 muxed, keyframe decoded and JPEG written in {files.EncodeTime.TotalMilliseconds:F1} ms");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(300)]
    public void Clip_is_H264_yuv420p_at_10_fps_with_every_packet(int frameCount)
    {
        // 30 s of a camera: 30 distinct frames in a loop keep the synthetic input cheap to make.
        var moving = Pictures.Moving(640, 480, Math.Min(frameCount, 30));
        var packets = Sessions.Encode(Enumerable.Range(0, frameCount).Select(i => moving[i % moving.Count]).ToList(), 640, 480);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 640, 480, packets, frameCount - 1), Options);

        var stream = FfmpegCli.Probe(files.VideoPath);
        Assert.Equal("h264", stream.CodecName);
        Assert.Equal("yuv420p", stream.PixelFormat);
        Assert.Equal((640, 480), (stream.Width, stream.Height));
        Assert.Equal("10/1", stream.FrameRate);
        Assert.Equal("10/1", stream.AverageFrameRate);
        Assert.Equal(frameCount, stream.FramesRead);
        Assert.Equal(frameCount / 10.0, stream.Duration, precision: 3);
    }

    [Fact]
    public void Clip_follows_the_packets_pts_so_a_capture_pause_stays_a_pause()
    {
        var frames = Pictures.Moving(320, 240, 5);
        var packets = Sessions.Encode(frames, 320, 240, pts: [0, 1, 2, 5, 6]);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 320, 240, packets, 4), Options);

        var probed = FfmpegCli.Frames(files.VideoPath);
        Assert.Equal([0.0, 0.1, 0.2, 0.5, 0.6], probed.Select(f => Math.Round(f.PtsTime, 3)));
        Assert.Equal(0.7, FfmpegCli.Probe(files.VideoPath).Duration, precision: 3);
        var decoded = FfmpegCli.Decode(files.VideoPath, 320, 240);
        Assert.True(Pictures.MinPsnr(frames, decoded) > 30);
    }

    [Fact]
    public void Packets_are_rebased_so_the_clip_starts_at_zero()
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 4), 64, 48, pts: [1_000, 1_001, 1_002, 1_004]);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 64, 48, packets, 0), Options);

        Assert.Equal([0.0, 0.1, 0.2, 0.4], FfmpegCli.Frames(files.VideoPath).Select(f => Math.Round(f.PtsTime, 3)));
    }

    [Fact]
    public void The_moov_box_precedes_the_media_data_so_playback_starts_before_the_download_ends()
    {
        var packets = Sessions.Encode(Pictures.Moving(320, 240, 20), 320, 240);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 320, 240, packets, 0), Options);

        var bytes = File.ReadAllBytes(files.VideoPath);
        var moov = bytes.AsSpan().IndexOf("moov"u8);
        var mdat = bytes.AsSpan().IndexOf("mdat"u8);
        output.WriteLine($"moov at {moov}, mdat at {mdat}, file {bytes.Length} B");
        Assert.True(moov > 0 && mdat > 0 && moov < mdat, $"moov at {moov}, mdat at {mdat}");
        Assert.Equal("ftyp", Encoding.ASCII.GetString(bytes, 4, 4));
    }

    [Fact]
    public void Decoded_clip_matches_natural_input_above_30_dB_in_every_frame_and_channel()
    {
        var frames = FfmpegCli.TestSource(640, 480, 30);
        var packets = Sessions.Encode(frames, 640, 480);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 640, 480, packets, 29), Options);

        var decoded = FfmpegCli.Decode(files.VideoPath, 640, 480);
        var mean = Pictures.MeanPsnr(frames, decoded);
        var worst = Pictures.MinPsnr(frames, decoded);
        output.WriteLine($"640x480 testsrc2, 30 frames muxed: mean PSNR {mean:F2} dB, worst frame {worst:F2} dB");
        Assert.True(worst > 30, $"worst frame PSNR {worst:F1} dB");
        for (var channel = 0; channel < 3; channel++)
        {
            var psnr = Pictures.MeanPsnr(frames, decoded, channel);
            Assert.True(psnr > 30, $"channel {channel} (0 blue, 1 green, 2 red): mean PSNR {psnr:F1} dB");
        }
    }

    [Fact]
    public void A_cycle_that_starts_mid_session_on_a_forced_keyframe_plays_on_its_own()
    {
        var frames = FfmpegCli.TestSource(320, 240, 40);
        // The camera's session runs on; the next cycle starts at frame 25 on a forced IDR.
        var packets = Sessions.Encode(frames, 320, 240, forceKeyframesAt: [25]);
        var cycle = packets[25..40];
        Assert.True(cycle[0].IsKeyframe);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 320, 240, cycle, 14), Options);

        var stream = FfmpegCli.Probe(files.VideoPath);
        Assert.Equal(("h264", 15), (stream.CodecName, stream.FramesRead));
        var probed = FfmpegCli.Frames(files.VideoPath);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => i / 10.0), probed.Select(f => Math.Round(f.PtsTime, 3)));
        Assert.True(probed[0].Key);
        var decoded = FfmpegCli.Decode(files.VideoPath, 320, 240);
        var worst = Pictures.MinPsnr(frames.Skip(25).ToList(), decoded);
        output.WriteLine($"cycle 25..39: worst frame PSNR {worst:F2} dB");
        Assert.True(worst > 30, $"worst frame PSNR {worst:F1} dB");
    }

    [Fact]
    public void Keyframe_JPEG_is_made_from_KeyframePixels_when_given()
    {
        var frames = DistinctColours(640, 480);
        var packets = Sessions.Encode(frames, 640, 480);
        // Pixels of another colour than the packets prove where the JPEG came from.
        var pixels = Pictures.Solid(640, 480, 40, 90, 200);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 640, 480, packets, 2, pixels), Options);

        Assert.Equal(2, files.KeyframeIndex);
        AssertJpegColour(files.ImagePath, 640, 480, (40, 90, 200), tolerance: 10);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void Keyframe_JPEG_is_decoded_from_the_packets_without_pixels(int keyframeIndex)
    {
        var frames = DistinctColours(640, 480);
        var packets = Sessions.Encode(frames, 640, 480);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 640, 480, packets, keyframeIndex), Options);

        Assert.Equal(keyframeIndex, files.KeyframeIndex);
        AssertJpegColour(files.ImagePath, 640, 480, Colours[keyframeIndex], tolerance: 20);
    }

    [Fact]
    public void Keyframe_in_a_later_GOP_is_decoded_from_that_GOPs_keyframe()
    {
        var frames = FfmpegCli.TestSource(640, 480, 15);
        var packets = Sessions.Encode(frames, 640, 480, Options with { Keyint = 5 });

        // Frame 13 is decoded from the keyframe at 10 (packets 10..13).
        var files = ClipWriter.Write(Request(Guid.NewGuid(), 640, 480, packets, 13), Options);

        using var jpeg = Cv2.ImRead(files.ImagePath);
        var pixels = new byte[640 * 480 * 3];
        System.Runtime.InteropServices.Marshal.Copy(jpeg.Data, pixels, 0, pixels.Length);
        var own = Pictures.Psnr(frames[13], pixels);
        var neighbour = Math.Max(Pictures.Psnr(frames[12], pixels), Pictures.Psnr(frames[14], pixels));
        output.WriteLine($"JPEG of frame 13: PSNR {own:F2} dB against it, {neighbour:F2} dB against the closer neighbour");
        Assert.True(own > 28 && own > neighbour + 3, $"{own:F1} dB vs neighbour {neighbour:F1} dB");
    }

    [Fact]
    public void Odd_size_gives_a_valid_padded_clip_and_an_original_size_JPEG()
    {
        var packets = Sessions.Encode(Pictures.Moving(641, 481, 7), 641, 481);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 641, 481, packets, 6), Options);

        var stream = FfmpegCli.Probe(files.VideoPath);
        Assert.Equal(("h264", 7), (stream.CodecName, stream.FramesRead));
        Assert.Equal((642, 482), (stream.Width, stream.Height));
        using var jpeg = Cv2.ImRead(files.ImagePath);
        Assert.Equal((641, 481), (jpeg.Width, jpeg.Height));
    }

    [Fact]
    public void Odd_sized_frames_are_padded_to_even_by_repeating_the_last_column_and_row()
    {
        var frames = Enumerable.Range(0, 5).Select(_ => Pictures.Solid(641, 481, blue: 60, green: 180, red: 220)).ToList();
        var packets = Sessions.Encode(frames, 641, 481);

        var files = ClipWriter.Write(Request(Guid.NewGuid(), 641, 481, packets, 4), Options);

        var decoded = FfmpegCli.Decode(files.VideoPath, 642, 482)[^1];
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
    public void While_muxing_only_a_hidden_temporary_exists_so_readers_never_see_a_partial_clip()
    {
        var eventId = Guid.NewGuid();
        var id = eventId.ToString("D");
        var folder = Path.Combine(_root.Path, id);
        string[]? seenMidway = null;
        var packets = new ObservedPackets(Sessions.Encode(Pictures.Moving(64, 48, 10), 64, 48), observeAt: 8, () => seenMidway = Directory.GetFiles(folder));

        ClipWriter.Write(Request(eventId, 64, 48, packets, 9), Options);

        Assert.Equal(new[] { $".{id}.mp4.tmp" }, seenMidway!.Select(Path.GetFileName));
    }

    [Fact]
    public void No_packets_are_rejected_without_creating_anything()
    {
        var failure = Assert.Throws<MediaException>(() => ClipWriter.Write(Request(Guid.NewGuid(), 640, 480, [], 0), Options));

        Assert.Equal("no packets to mux", failure.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_first_packet_that_is_not_a_keyframe_is_rejected()
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 4), 64, 48);

        var failure = Assert.Throws<MediaException>(() => ClipWriter.Write(Request(Guid.NewGuid(), 64, 48, packets[1..], 0), Options));

        Assert.Contains("keyframe", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Theory]
    [InlineData(new long[] { 0, 1, 1 })]
    [InlineData(new long[] { 0, 2, 1 })]
    public void Packets_whose_pts_do_not_increase_are_rejected(long[] pts)
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 3), 64, 48)
            .Select((packet, i) => packet with { Pts = pts[i] })
            .ToList();

        var failure = Assert.Throws<MediaException>(() => ClipWriter.Write(Request(Guid.NewGuid(), 64, 48, packets, 0), Options));

        Assert.Contains("packet 2", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void A_KeyframeIndex_outside_the_packets_is_rejected(int keyframeIndex)
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 3), 64, 48);

        Assert.Throws<MediaException>(() => ClipWriter.Write(Request(Guid.NewGuid(), 64, 48, packets, keyframeIndex), Options));
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void KeyframePixels_of_the_wrong_byte_count_are_rejected_naming_both_sizes()
    {
        var packets = Sessions.Encode(Pictures.Moving(640, 480, 3), 640, 480);

        var failure = Assert.Throws<MediaException>(
            () => ClipWriter.Write(Request(Guid.NewGuid(), 640, 480, packets, 2, new byte[(640 * 480 * 3) - 1]), Options));

        Assert.Contains("921599", failure.Message, StringComparison.Ordinal);
        Assert.Contains("921600", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_keyframe_without_SPS_and_PPS_is_rejected()
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 3), 64, 48);
        // Keep only the IDR slice of the first packet.
        var slice = AnnexB.NalUnits(packets[0].Data).Single(unit => AnnexB.NalType(unit) == AnnexB.NalTypeIdr);
        packets[0] = packets[0] with { Data = [0, 0, 0, 1, .. slice] };

        var failure = Assert.Throws<MediaException>(() => ClipWriter.Write(Request(Guid.NewGuid(), 64, 48, packets, 0), Options));

        Assert.Contains("SPS", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Theory]
    [InlineData(0, 480)]
    [InlineData(640, -1)]
    public void A_non_positive_size_is_rejected(int width, int height)
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 1), 64, 48);

        Assert.Throws<MediaException>(() => ClipWriter.Write(Request(Guid.NewGuid(), width, height, packets, 0), Options));
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_keyframe_decode_failure_removes_the_temporaries_and_the_folder()
    {
        // Packets of 64x48 frames declared as 32x24: the clip muxes, the keyframe decode then fails.
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 3), 64, 48);

        var failure = Assert.Throws<MediaException>(() => ClipWriter.Write(Request(Guid.NewGuid(), 32, 24, packets, 2), Options));

        Assert.Contains("64x48", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_cancelled_write_leaves_nothing_behind()
    {
        using var cancellation = new CancellationTokenSource();
        var packets = new ObservedPackets(Sessions.Encode(Pictures.Moving(64, 48, 10), 64, 48), observeAt: 5, cancellation.Cancel);

        Assert.ThrowsAny<OperationCanceledException>(
            () => ClipWriter.Write(Request(Guid.NewGuid(), 64, 48, packets, 9), Options, cancellation.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_failed_request_does_not_spoil_the_next_one()
    {
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 10), 64, 48);
        var bad = Request(Guid.NewGuid(), 64, 48, packets[1..], 0);
        var good = Request(Guid.NewGuid(), 64, 48, packets, 9);

        Assert.Throws<MediaException>(() => ClipWriter.Write(bad, Options));
        var files = ClipWriter.Write(good, Options);

        Assert.Equal(10, FfmpegCli.Probe(files.VideoPath).FramesRead);
        Assert.Equal([good.EventId.ToString("D")], Directory.GetDirectories(_root.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Eight_concurrent_writes_all_produce_valid_clips()
    {
        var packets = Sessions.Encode(Pictures.Moving(640, 480, 28), 640, 480);
        var requests = Enumerable.Range(0, 8)
            .Select(i => Request(Guid.NewGuid(), 640, 480, packets[..(20 + i)], 19 + i))
            .ToList();

        var results = await Task.WhenAll(requests.Select(request => Task.Run(() => ClipWriter.Write(request, Options))));

        foreach (var (request, files) in requests.Zip(results))
        {
            var stream = FfmpegCli.Probe(files.VideoPath);
            Assert.Equal(("h264", request.Packets.Count), (stream.CodecName, stream.FramesRead));
            using var jpeg = Cv2.ImRead(files.ImagePath);
            Assert.Equal((640, 480), (jpeg.Width, jpeg.Height));
        }

        Assert.Empty(Directory.EnumerateFiles(_root.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Writing_the_same_event_again_replaces_its_files()
    {
        var eventId = Guid.NewGuid();
        var packets = Sessions.Encode(Pictures.Moving(64, 48, 9), 64, 48);
        ClipWriter.Write(Request(eventId, 64, 48, packets[..4], 3), Options);

        var files = ClipWriter.Write(Request(eventId, 64, 48, packets, 8), Options);

        Assert.Equal(9, FfmpegCli.Probe(files.VideoPath).FramesRead);
        Assert.Equal(2, Directory.GetFiles(Path.GetDirectoryName(files.VideoPath)!).Length);
    }

    private PacketClipRequest Request(
        Guid eventId, int width, int height, IReadOnlyList<EncodedPacket> packets, int keyframeIndex, byte[]? keyframePixels = null) =>
        new(eventId, width, height, packets, keyframeIndex, keyframePixels, _root.Path);

    private static List<byte[]> DistinctColours(int width, int height) =>
        Colours.Select(c => Pictures.Solid(width, height, c.Blue, c.Green, c.Red)).ToList();

    private static void AssertJpegColour(string path, int width, int height, (byte Blue, byte Green, byte Red) expected, double tolerance)
    {
        using var jpeg = Cv2.ImRead(path);
        Assert.Equal((width, height), (jpeg.Width, jpeg.Height));
        var mean = Cv2.Mean(jpeg);
        Assert.True(
            Math.Abs(mean.Val0 - expected.Blue) < tolerance && Math.Abs(mean.Val1 - expected.Green) < tolerance && Math.Abs(mean.Val2 - expected.Red) < tolerance,
            $"JPEG mean colour ({mean.Val0:F0}, {mean.Val1:F0}, {mean.Val2:F0}), expected {expected}");
    }

    /// <summary>
    /// A packet list that runs an action when the muxer's enumeration reaches a given packet, to look at
    /// the write from outside mid-way (validation reads by index and does not trigger it).
    /// </summary>
    private sealed class ObservedPackets(IReadOnlyList<EncodedPacket> packets, int observeAt, Action observe) : IReadOnlyList<EncodedPacket>
    {
        public int Count => packets.Count;

        public EncodedPacket this[int index] => packets[index];

        public IEnumerator<EncodedPacket> GetEnumerator()
        {
            for (var i = 0; i < packets.Count; i++)
            {
                if (i == observeAt)
                {
                    observe();
                }

                yield return packets[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
