using System.Collections;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Dispatch;
using Akka.TestKit.Xunit2;
using OpenCvSharp;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Metrics;
using Registrator.Contracts;
using Registrator.Media;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Encoding;

/// <summary>
/// The real encoder pool (the machine's FFmpeg) on its pinned dispatcher, writing to a temporary TMP_PATH: frames in,
/// one H.264 packet out per frame from the key's live session; packets in, MP4 and JPEG out.
/// </summary>
public sealed class EncoderActorSpec : TestKit
{
    private const int Width = 64, Height = 48, Keyint = 5;

    private readonly string _output = Directory.CreateTempSubdirectory("registrator-encoder-").FullName;
    private readonly MediaSettings _settings;
    private readonly RegistratorMetrics _metrics;

    public EncoderActorSpec(ITestOutputHelper output)
        : base(RegistratorConfig.Load("akka.actor.provider = local\nakka.test.single-expect-default = 30s", new Hashtable()), output: output)
    {
        var media = RegistratorSettings.From(Sys).Media;
        _settings = media with { OutputPath = _output, PoolSize = 4, Encoder = media.Encoder with { Keyint = Keyint } };
        // A meter of this test's own, so the gauges read here are this system's only.
        _metrics = RegistratorMetrics.Register(Sys, new RegistratorMetrics("Registrator.EncoderActorSpec." + Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public void A_discarded_clip_s_files_are_deleted_with_their_folder_and_nothing_outside_the_event_s_folder()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        var id = Guid.NewGuid();
        var folder = Directory.CreateDirectory(Path.Combine(_output, id.ToString("D"))).FullName;
        var clip = Path.Combine(folder, $"{id}.mp4");
        var image = Path.Combine(folder, $"{id}.jpg");
        var outside = Path.Combine(_output, "keep.mp4");
        foreach (var file in new[] { clip, image, outside }) File.WriteAllBytes(file, [1, 2, 3]);

        pool.Tell(new DiscardClip(id, "camera-1", [clip, image, outside]));

        AwaitAssert(() => Assert.False(Directory.Exists(folder)), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void A_frame_comes_back_at_once_as_its_packet_the_first_a_keyframe_then_one_every_keyint_frames()
    {
        var pool = EncoderPool.Start(Sys, _settings);

        var encoded = Encode(pool, "camera-1", cycle: 3, Enumerable.Range(0, 12));

        Assert.All(encoded, e => Assert.Equal(3, e.Cycle));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"f{i}"), encoded.Select(e => e.FrameId));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), encoded.Select(e => e.Packet.Pts));
        Assert.Equal([0, 5, 10], KeyframeIndexes(encoded));
        Assert.All(encoded, e => Assert.NotEmpty(e.Packet.Data));
        // Compressed: a 64x48 frame is 9216 bytes raw.
        Assert.All(encoded.Where(e => !e.Packet.IsKeyframe), e => Assert.True(e.Packet.Data.Length < Width * Height * 3 / 4));
    }

    [Fact]
    public void A_forced_keyframe_starts_a_GOP_there()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        Encode(pool, "camera-1", 0, Enumerable.Range(0, 2));

        pool.Tell(FrameAt("camera-1", 0, 2, forceKeyframe: true), TestActor);

        Assert.True(ExpectMsg<FrameEncoded>().Packet.IsKeyframe);
    }

    [Fact]
    public void One_keys_frames_reach_one_encoder_so_its_session_goes_on_among_other_keys()
    {
        var pool = EncoderPool.Start(Sys, _settings with { Encoder = _settings.Encoder with { Keyint = 100 } });
        var keys = Enumerable.Range(0, 8).Select(i => $"camera-{i}").ToArray();

        // Interleaved, as cameras send: every key's frames 0..5 one after another across keys.
        var probes = keys.ToDictionary(k => k, _ => CreateTestProbe());
        for (var pts = 0; pts < 6; pts++)
            foreach (var key in keys)
                pool.Tell(FrameAt(key, 0, pts), probes[key].Ref);

        foreach (var key in keys)
        {
            var encoded = Enumerable.Range(0, 6).Select(_ => probes[key].ExpectMsg<FrameEncoded>()).ToArray();
            Assert.Equal([0], KeyframeIndexes(encoded));
        }
    }

    [Fact]
    public void A_size_change_or_a_pts_that_goes_back_opens_a_new_session_that_starts_on_a_keyframe()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        Encode(pool, "camera-1", 0, Enumerable.Range(0, 2));

        pool.Tell(FrameAt("camera-1", 0, 2, width: 32, height: 24), TestActor);
        Assert.True(ExpectMsg<FrameEncoded>().Packet.IsKeyframe);
        pool.Tell(FrameAt("camera-1", 0, 3, width: 32, height: 24), TestActor);
        Assert.False(ExpectMsg<FrameEncoded>().Packet.IsKeyframe);

        pool.Tell(FrameAt("camera-1", 0, 1, width: 32, height: 24), TestActor);
        Assert.True(ExpectMsg<FrameEncoded>().Packet.IsKeyframe);
    }

    [Fact]
    public void A_frame_that_cannot_be_encoded_is_answered_with_the_reason_and_the_next_frame_starts_a_keyframe()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        Encode(pool, "camera-1", 0, Enumerable.Range(0, 2));

        pool.Tell(FrameAt("camera-1", 7, 2) with { Pixels = new byte[10] }, TestActor);

        var failed = ExpectMsg<FrameEncodeFailed>();
        Assert.Equal((7, 2L), (failed.Cycle, failed.Pts));
        Assert.Contains("bytes", failed.Reason);
        pool.Tell(FrameAt("camera-1", 7, 3), TestActor);
        Assert.True(ExpectMsg<FrameEncoded>().Packet.IsKeyframe);
    }

    [Fact]
    public void A_JPEG_frame_is_decoded_on_the_encoder_and_its_clip_and_keyframe_show_its_pixels()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        using var image = new Mat(Height, Width, MatType.CV_8UC3, new Scalar(100, 100, 100));
        Cv2.ImEncode(".jpg", image, out var jpeg);

        pool.Tell(new EncodeFrame("camera-jpeg", 0, Width, Height, jpeg, 0, false, "j0", FrameFormat.Jpeg), TestActor);
        var encoded = ExpectMsg<FrameEncoded>();
        pool.Tell(new WriteClip(Guid.NewGuid(), "camera-jpeg", Width, Height, [encoded.Packet], KeyframeIndex: 0), TestActor);

        var done = ExpectMsg<EncodeSucceeded>();
        AssertGray(done.ImagePath, 100);
        Assert.Equal(1, FfmpegCli.Probe(done.VideoPath).FramesRead);
    }

    [Fact]
    public void A_JPEG_that_does_not_decode_or_has_another_size_is_answered_with_the_reason()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        using var image = new Mat(Height * 2, Width * 2, MatType.CV_8UC3, new Scalar(1, 2, 3));
        Cv2.ImEncode(".jpg", image, out var larger);

        pool.Tell(new EncodeFrame("camera-jpeg", 0, Width, Height, [0xFF, 0xD8, 0xFF, 0xD9], 0, false, null, FrameFormat.Jpeg), TestActor);
        Assert.Contains("JPEG", ExpectMsg<FrameEncodeFailed>().Reason);
        pool.Tell(new EncodeFrame("camera-jpeg", 0, Width, Height, larger, 1, false, null, FrameFormat.Jpeg), TestActor);
        Assert.Contains($"{Width * 2}x{Height * 2}", ExpectMsg<FrameEncodeFailed>().Reason);
    }

    [Fact]
    public void Packets_become_an_MP4_that_ffprobe_reads_and_the_JPEG_of_the_chosen_frame()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        var packets = Encode(pool, "camera-1", 0, Enumerable.Range(0, 12)).Select(e => e.Packet).ToArray();
        var clip = new WriteClip(Guid.NewGuid(), "camera-1", Width, Height, packets, KeyframeIndex: 7);

        pool.Tell(clip, TestActor);

        var done = ExpectMsg<EncodeSucceeded>();
        Assert.Equal(clip.EventId, done.EventId);
        Assert.Equal(Path.Combine(_output, $"{clip.EventId}", $"{clip.EventId}.mp4"), done.VideoPath);
        Assert.Equal(Path.Combine(_output, $"{clip.EventId}", $"{clip.EventId}.jpg"), done.ImagePath);
        Assert.Equal(12, done.FrameCount);
        var probe = FfmpegCli.Probe(done.VideoPath);
        Assert.Equal(("h264", "yuv420p", Width, Height, "10/1", 12), (probe.CodecName, probe.PixelFormat, probe.Width, probe.Height, probe.FrameRate, probe.FramesRead));
        Assert.Equal([0, 5, 10], FfmpegCli.Frames(done.VideoPath).Select((f, i) => (f, i)).Where(x => x.f.Key).Select(x => x.i));
        // Frame 7 was decoded back from its GOP (frames 5..7): gray 7 * 20.
        AssertGray(done.ImagePath, 140);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(done.VideoPath)!, ".*"));
    }

    [Fact]
    public void The_JPEG_of_the_last_frame_encoded_is_made_from_its_own_pixels()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        var packets = Encode(pool, "camera-1", 0, Enumerable.Range(0, 4)).Select(e => e.Packet).ToArray();

        pool.Tell(new WriteClip(Guid.NewGuid(), "camera-1", Width, Height, packets, KeyframeIndex: 3), TestActor);

        AssertGray(ExpectMsg<EncodeSucceeded>().ImagePath, 60);
    }

    [Theory]
    [InlineData(0, 0, "no packets")]
    [InlineData(3, 3, "KeyframeIndex")]
    [InlineData(3, -1, "KeyframeIndex")]
    public void A_clip_without_packets_or_with_a_bad_keyframe_index_fails_with_a_reason_and_leaves_no_folder(int frames, int keyframeIndex, string reason)
    {
        var pool = EncoderPool.Start(Sys, _settings);
        var packets = Encode(pool, "camera-1", 0, Enumerable.Range(0, frames)).Select(e => e.Packet).ToArray();
        var clip = new WriteClip(Guid.NewGuid(), "camera-1", Width, Height, packets, keyframeIndex);

        pool.Tell(clip, TestActor);

        var failed = ExpectMsg<EncodeFailed>();
        Assert.Equal(clip.EventId, failed.EventId);
        Assert.Contains(reason, failed.Reason);
        Assert.False(Directory.Exists(Path.Combine(_output, clip.EventId.ToString())));
    }

    [Fact]
    public void A_clip_that_throws_is_answered_and_the_encoder_is_restarted_with_its_sessions_closed()
    {
        var pool = EncoderPool.Start(Sys, _settings with { PoolSize = 1 });
        Encode(pool, "camera-1", 0, Enumerable.Range(0, 2));

        var poisoned = new WriteClip(Guid.NewGuid(), "camera-1", Width, Height, new UnreadablePackets(), 0);
        pool.Tell(poisoned, TestActor);
        var failed = ExpectMsg<EncodeFailed>();
        Assert.Equal(poisoned.EventId, failed.EventId);
        Assert.Contains("encoder failed", failed.Reason);

        // The restarted encoder opened a fresh session for the key, and still writes clips.
        var packets = Encode(pool, "camera-1", 0, Enumerable.Range(2, 3)).Select(e => e.Packet).ToArray();
        Assert.True(packets[0].IsKeyframe);
        pool.Tell(new WriteClip(Guid.NewGuid(), "camera-1", Width, Height, packets, 0), TestActor);
        ExpectMsg<EncodeSucceeded>();
    }

    [Fact]
    public void CloseSession_closes_only_the_session_of_the_task_that_owns_it()
    {
        var pool = EncoderPool.Start(Sys, _settings with { Encoder = _settings.Encoder with { Keyint = 100 } });
        var (owner, other) = (CreateTestProbe(), CreateTestProbe());
        pool.Tell(FrameAt("camera-1", 0, 0), owner.Ref);
        Assert.True(owner.ExpectMsg<FrameEncoded>().Packet.IsKeyframe);

        // Another task (a stale incarnation, say) closing the key leaves the owner's session alone.
        pool.Tell(new CloseSession("camera-1"), other.Ref);
        pool.Tell(FrameAt("camera-1", 0, 1), owner.Ref);
        Assert.False(owner.ExpectMsg<FrameEncoded>().Packet.IsKeyframe);

        pool.Tell(new CloseSession("camera-1"), owner.Ref);
        pool.Tell(FrameAt("camera-1", 0, 2), owner.Ref);
        Assert.True(owner.ExpectMsg<FrameEncoded>().Packet.IsKeyframe);
    }

    [Fact]
    public void Open_sessions_are_counted_in_the_metrics_and_closed_ones_leave_the_count()
    {
        using var gauges = new Gauges(_metrics.MeterName);
        var pool = EncoderPool.Start(Sys, _settings);
        Assert.Equal(0, gauges.Read("registrator.encoder.sessions"));

        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        pool.Tell(FrameAt("camera-a", 0, 0), a.Ref);
        pool.Tell(FrameAt("camera-b", 0, 0), b.Ref);
        a.ExpectMsg<FrameEncoded>();
        b.ExpectMsg<FrameEncoded>();
        Assert.Equal(2, gauges.Read("registrator.encoder.sessions"));
        Assert.Equal(2 * H264Session.EstimatedNativeBytes(Width, Height), gauges.Read("registrator.encoder.session_memory"));

        pool.Tell(new CloseSession("camera-a"), a.Ref);
        pool.Tell(new CloseSession("camera-b"), b.Ref);
        AwaitAssert(() => Assert.Equal(0, gauges.Read("registrator.encoder.sessions")));
        Assert.Equal(0, gauges.Read("registrator.encoder.session_memory"));
    }

    [Fact]
    public void Eight_clips_at_once_all_complete()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        var clips = Enumerable.Range(0, 8).Select(i =>
        {
            var key = $"camera-{i}";
            var packets = Encode(pool, key, 0, Enumerable.Range(0, 5)).Select(e => e.Packet).ToArray();
            return new WriteClip(Guid.NewGuid(), key, Width, Height, packets, 4);
        }).ToArray();

        foreach (var clip in clips) pool.Tell(clip, TestActor);

        var done = Enumerable.Range(0, 8).Select(_ => ExpectMsg<EncodeSucceeded>()).ToArray();
        Assert.Equal(clips.Select(j => j.EventId).Order(), done.Select(d => d.EventId).Order());
        Assert.All(done, d => Assert.True(File.Exists(d.VideoPath) && File.Exists(d.ImagePath)));
    }

    [Fact]
    public void Encoders_run_on_the_pinned_dispatcher_on_threads_of_their_own()
    {
        var encoder = Sys.ActorOf(EncoderActor.Props(_settings));
        encoder.Tell(new Identify(1), TestActor);
        ExpectMsg<ActorIdentity>();
        Assert.Equal(MediaSettings.DispatcherId, EncoderActor.Props(_settings).Dispatcher);
        var cell = (ActorCell)((ActorRefWithCell)encoder).Underlying;
        Assert.Equal(MediaSettings.DispatcherId, cell.Dispatcher.Id);
        Assert.IsType<PinnedDispatcher>(cell.Dispatcher);
    }

    /// <summary>Frames <paramref name="indexes"/> (uniform gray 20 × index, pts = index) of one key from the test actor, and their packets.</summary>
    private FrameEncoded[] Encode(IActorRef pool, string key, int cycle, IEnumerable<int> indexes)
    {
        var sent = indexes.Select(i => FrameAt(key, cycle, i)).ToArray();
        foreach (var frame in sent) pool.Tell(frame, TestActor);
        return sent.Select(_ => ExpectMsg<FrameEncoded>()).ToArray();
    }

    private static EncodeFrame FrameAt(string key, int cycle, int index, bool forceKeyframe = false, int width = Width, int height = Height)
    {
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, (byte)(index * 20));
        return new EncodeFrame(key, cycle, width, height, pixels, index, forceKeyframe, $"f{index}");
    }

    private static int[] KeyframeIndexes(IEnumerable<FrameEncoded> encoded) =>
        encoded.Select((e, i) => (e, i)).Where(x => x.e.Packet.IsKeyframe).Select(x => x.i).ToArray();

    private static void AssertGray(string jpeg, int gray)
    {
        using var image = Cv2.ImRead(jpeg);
        Assert.Equal((Width, Height), (image.Width, image.Height));
        Assert.InRange(Cv2.Mean(image).Val0, gray - 6, gray + 6);
    }

    /// <summary>Packets that fail when read: an encoder bug the pool must survive.</summary>
    private sealed class UnreadablePackets : IReadOnlyList<EncodedPacket>
    {
        public int Count => throw new InvalidOperationException("packets were disposed");
        public EncodedPacket this[int index] => throw new InvalidOperationException("packets were disposed");
        public IEnumerator<EncodedPacket> GetEnumerator() => throw new InvalidOperationException("packets were disposed");
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Reads the observable gauges of one meter on demand.</summary>
    private sealed class Gauges : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _values = [];

        public Gauges(string meterName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == meterName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _values[instrument.Name] = value);
            _listener.Start();
        }

        public long Read(string name)
        {
            lock (_values)
            {
                _values.Remove(name);
                _listener.RecordObservableInstruments();
                return _values.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"no gauge {name}");
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        try { Directory.Delete(_output, recursive: true); }
        catch (IOException) { }
    }
}
