using System.Collections;
using Akka.Actor;
using Akka.Dispatch;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Media;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Encoding;

/// <summary>The real encoder pool (the machine's FFmpeg) on its pinned dispatcher, writing to a temporary TMP_PATH.</summary>
public sealed class EncoderActorSpec : TestKit, IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("registrator-encoder-").FullName;
    private readonly MediaSettings _settings;

    public EncoderActorSpec(ITestOutputHelper output)
        : base(RegistratorConfig.Load("akka.actor.provider = local\nakka.test.single-expect-default = 30s", new Hashtable()), output: output)
    {
        _settings = RegistratorSettings.From(Sys).Media with { OutputPath = _output, PoolSize = 2 };
    }

    [Fact]
    public void A_job_becomes_a_clip_and_a_keyframe_under_TMP_PATH()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        var job = Job(frames: 10);
        pool.Tell(job, TestActor);

        var done = ExpectMsg<EncodeSucceeded>();
        Assert.Equal(job.EventId, done.EventId);
        Assert.Equal(Path.Combine(_output, $"{job.EventId}", $"{job.EventId}.mp4"), done.VideoPath);
        Assert.Equal(Path.Combine(_output, $"{job.EventId}", $"{job.EventId}.jpg"), done.ImagePath);
        Assert.Equal(10, done.FrameCount);
        Assert.True(new FileInfo(done.VideoPath).Length > 0);
        Assert.True(new FileInfo(done.ImagePath).Length > 0);
    }

    [Fact]
    public void A_job_without_frames_fails_with_a_reason_and_leaves_no_folder()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        var job = Job(frames: 0);
        pool.Tell(job, TestActor);
        var failed = ExpectMsg<EncodeFailed>();
        Assert.Equal(job.EventId, failed.EventId);
        Assert.Contains("no frames", failed.Reason);
        Assert.False(Directory.Exists(Path.Combine(_output, job.EventId.ToString())));
    }

    [Fact]
    public void A_job_that_throws_is_answered_and_the_pool_keeps_encoding()
    {
        var pool = EncoderPool.Start(Sys, _settings with { PoolSize = 1 });
        var poisoned = Job(frames: 1) with { Frames = new UnreadableFrames() };
        pool.Tell(poisoned, TestActor);
        var failed = ExpectMsg<EncodeFailed>();
        Assert.Equal(poisoned.EventId, failed.EventId);
        Assert.Contains("encoder failed", failed.Reason);

        var good = Job(frames: 3);
        pool.Tell(good, TestActor);
        Assert.Equal(good.EventId, ExpectMsg<EncodeSucceeded>().EventId);
    }

    [Fact]
    public void Eight_jobs_at_once_all_complete()
    {
        var pool = EncoderPool.Start(Sys, _settings);
        var jobs = Enumerable.Range(0, 8).Select(_ => Job(frames: 5)).ToArray();
        foreach (var job in jobs) pool.Tell(job, TestActor);
        var done = Enumerable.Range(0, 8).Select(_ => ExpectMsg<EncodeSucceeded>()).ToArray();
        Assert.Equal(jobs.Select(j => j.EventId).Order(), done.Select(d => d.EventId).Order());
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

    private static EncodeJob Job(int frames)
    {
        const int width = 64, height = 48;
        var list = Enumerable.Range(0, frames).Select(i =>
        {
            var pixels = new byte[width * height * 3];
            for (var p = 0; p < pixels.Length; p++) pixels[p] = (byte)(p * 7 + i * 13);
            return new BgrFrame(pixels, $"f{i}");
        }).ToArray();
        return new EncodeJob(Guid.NewGuid(), "camera-1", width, height, list, KeyframeId: null);
    }

    /// <summary>A frame list that fails when read: an encoder bug the pool must survive.</summary>
    private sealed class UnreadableFrames : IReadOnlyList<BgrFrame>
    {
        public int Count => throw new InvalidOperationException("frames were disposed");
        public BgrFrame this[int index] => throw new InvalidOperationException("frames were disposed");
        public IEnumerator<BgrFrame> GetEnumerator() => throw new InvalidOperationException("frames were disposed");
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    void IDisposable.Dispose()
    {
        Shutdown();
        try { Directory.Delete(_output, recursive: true); } catch (IOException) { }
    }
}
