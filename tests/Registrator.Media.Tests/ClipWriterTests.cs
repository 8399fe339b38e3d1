using OpenCvSharp;
using Registrator.Media.Tests.Support;

namespace Registrator.Media.Tests;

public sealed class ClipWriterTests : IDisposable
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
        var request = new ClipRequest(eventId, 640, 480, Pictures.Moving(640, 480, 30), null, _root.Path);

        var files = ClipWriter.Write(request, Options);

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
        Assert.Equal(30, FfmpegCli.Probe(files.VideoPath).FramesRead);
    }

    [Fact]
    public void While_encoding_only_a_hidden_temporary_exists_so_readers_never_see_a_partial_clip()
    {
        var eventId = Guid.NewGuid();
        var id = eventId.ToString("D");
        var folder = Path.Combine(_root.Path, id);
        string[]? seenMidway = null;
        var frames = new ObservedFrames(Pictures.Moving(64, 48, 10), observeAt: 8, () => seenMidway = Directory.GetFiles(folder));

        ClipWriter.Write(new ClipRequest(eventId, 64, 48, frames, null, _root.Path), Options);

        Assert.Equal(new[] { $".{id}.mp4.tmp" }, seenMidway!.Select(Path.GetFileName));
    }

    [Fact]
    public void Keyframe_is_the_frame_named_by_KeyframeId()
    {
        var frames = DistinctColours(640, 480);
        var request = new ClipRequest(Guid.NewGuid(), 640, 480, frames, "f2", _root.Path);

        var files = ClipWriter.Write(request, Options);

        Assert.Equal(2, files.KeyframeIndex);
        AssertJpegColour(files.ImagePath, 640, 480, Colours[2]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-buffered")]
    public void Keyframe_falls_back_to_the_newest_frame(string? keyframeId)
    {
        var frames = DistinctColours(640, 480);
        var request = new ClipRequest(Guid.NewGuid(), 640, 480, frames, keyframeId, _root.Path);

        var files = ClipWriter.Write(request, Options);

        Assert.Equal(frames.Count - 1, files.KeyframeIndex);
        AssertJpegColour(files.ImagePath, 640, 480, Colours[^1]);
    }

    [Fact]
    public void Odd_size_gives_a_valid_padded_clip_and_an_original_size_JPEG()
    {
        var request = new ClipRequest(Guid.NewGuid(), 641, 481, Pictures.Moving(641, 481, 7), null, _root.Path);

        var files = ClipWriter.Write(request, Options);

        var stream = FfmpegCli.Probe(files.VideoPath);
        Assert.Equal(("h264", 7), (stream.CodecName, stream.FramesRead));
        Assert.Equal((642, 482), (stream.Width, stream.Height));
        using var jpeg = Cv2.ImRead(files.ImagePath);
        Assert.Equal((641, 481), (jpeg.Width, jpeg.Height));
    }

    [Fact]
    public void No_frames_is_rejected_without_creating_anything()
    {
        var eventId = Guid.NewGuid();
        var request = new ClipRequest(eventId, 640, 480, [], null, _root.Path);

        var failure = Assert.Throws<MediaException>(() => ClipWriter.Write(request, Options));

        Assert.Equal("no frames to encode", failure.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_frame_of_the_wrong_byte_count_is_rejected_naming_both_sizes()
    {
        var frames = Pictures.Moving(640, 480, 3).Append(new BgrFrame(new byte[(640 * 480 * 3) - 1])).ToList();
        var request = new ClipRequest(Guid.NewGuid(), 640, 480, frames, null, _root.Path);

        var failure = Assert.Throws<MediaException>(() => ClipWriter.Write(request, Options));

        Assert.Contains("frame 3", failure.Message, StringComparison.Ordinal);
        Assert.Contains("921599", failure.Message, StringComparison.Ordinal);
        Assert.Contains("921600", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Theory]
    [InlineData(0, 480)]
    [InlineData(640, -1)]
    public void A_non_positive_size_is_rejected(int width, int height)
    {
        var request = new ClipRequest(Guid.NewGuid(), width, height, [new BgrFrame([])], null, _root.Path);

        Assert.Throws<MediaException>(() => ClipWriter.Write(request, Options));
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void An_encoder_failure_removes_the_temporaries_and_the_folder()
    {
        var request = new ClipRequest(Guid.NewGuid(), 64, 48, Pictures.Moving(64, 48, 3), null, _root.Path);

        Assert.Throws<MediaException>(() => ClipWriter.Write(request, Options with { Preset = "no-such-preset" }));

        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_cancelled_write_leaves_nothing_behind()
    {
        using var cancellation = new CancellationTokenSource();
        var frames = new ObservedFrames(Pictures.Moving(64, 48, 10), observeAt: 5, cancellation.Cancel);
        var request = new ClipRequest(Guid.NewGuid(), 64, 48, frames, null, _root.Path);

        Assert.ThrowsAny<OperationCanceledException>(() => ClipWriter.Write(request, Options, cancellation.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void A_failed_request_does_not_spoil_the_next_one()
    {
        var bad = new ClipRequest(Guid.NewGuid(), 64, 48, [new BgrFrame(new byte[5])], null, _root.Path);
        var good = new ClipRequest(Guid.NewGuid(), 64, 48, Pictures.Moving(64, 48, 10), null, _root.Path);

        Assert.Throws<MediaException>(() => ClipWriter.Write(bad, Options));
        var files = ClipWriter.Write(good, Options);

        Assert.Equal(10, FfmpegCli.Probe(files.VideoPath).FramesRead);
        Assert.Equal([good.EventId.ToString("D")], Directory.GetDirectories(_root.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Eight_concurrent_writes_all_produce_valid_clips()
    {
        var requests = Enumerable.Range(0, 8)
            .Select(i => new ClipRequest(Guid.NewGuid(), 640, 480, Pictures.Moving(640, 480, 20 + i), null, _root.Path))
            .ToList();

        var results = await Task.WhenAll(requests.Select(request => Task.Run(() => ClipWriter.Write(request, Options))));

        foreach (var (request, files) in requests.Zip(results))
        {
            var stream = FfmpegCli.Probe(files.VideoPath);
            Assert.Equal(("h264", request.Frames.Count), (stream.CodecName, stream.FramesRead));
            using var jpeg = Cv2.ImRead(files.ImagePath);
            Assert.Equal((640, 480), (jpeg.Width, jpeg.Height));
        }

        Assert.Empty(Directory.EnumerateFiles(_root.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Writing_the_same_event_again_replaces_its_files()
    {
        var eventId = Guid.NewGuid();
        ClipWriter.Write(new ClipRequest(eventId, 64, 48, Pictures.Moving(64, 48, 4), null, _root.Path), Options);

        var files = ClipWriter.Write(new ClipRequest(eventId, 64, 48, Pictures.Moving(64, 48, 9), null, _root.Path), Options);

        Assert.Equal(9, FfmpegCli.Probe(files.VideoPath).FramesRead);
        Assert.Equal(2, Directory.GetFiles(Path.GetDirectoryName(files.VideoPath)!).Length);
    }

    private static List<BgrFrame> DistinctColours(int width, int height) =>
        Colours.Select((c, i) => Pictures.Solid(width, height, c.Blue, c.Green, c.Red, $"f{i}")).ToList();

    private static void AssertJpegColour(string path, int width, int height, (byte Blue, byte Green, byte Red) expected)
    {
        using var jpeg = Cv2.ImRead(path);
        Assert.Equal((width, height), (jpeg.Width, jpeg.Height));
        var mean = Cv2.Mean(jpeg);
        Assert.True(
            Math.Abs(mean.Val0 - expected.Blue) < 10 && Math.Abs(mean.Val1 - expected.Green) < 10 && Math.Abs(mean.Val2 - expected.Red) < 10,
            $"JPEG mean colour ({mean.Val0:F0}, {mean.Val1:F0}, {mean.Val2:F0}), expected {expected}");
    }

    /// <summary>A frame list that runs an action when a given frame is read, to look at the encode from outside mid-way.</summary>
    private sealed class ObservedFrames(IReadOnlyList<BgrFrame> frames, int observeAt, Action observe) : IReadOnlyList<BgrFrame>
    {
        public int Count => frames.Count;

        public BgrFrame this[int index] => frames[index];

        public IEnumerator<BgrFrame> GetEnumerator()
        {
            for (var i = 0; i < frames.Count; i++)
            {
                if (i == observeAt)
                {
                    observe();
                }

                yield return frames[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
