using System.Diagnostics;
using Registrator.Media.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Media.Tests;

/// <summary>What one session costs the process (memory, threads, CPU time), measured with nothing else running.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class H264SessionResourceTests(ITestOutputHelper output)
{
    private static readonly EncoderOptions Options = new();

    [Fact]
    public void Native_memory_of_one_session_is_measured()
    {
        const int sessions = 20;
        var frames = FfmpegCli.TestSource(640, 480, 3);
        // Warm-up: the libraries' lazily built tables and the allocator's first arenas are not per session.
        using (var warm = new H264Session(640, 480, Options))
        {
            Encode(warm, frames);
        }

        var before = NativeMemory.ResidentBytes();
        var heapBefore = NativeMemory.MallocInUseBytes();
        var open = new List<H264Session>();
        try
        {
            for (var i = 0; i < sessions; i++)
            {
                var session = new H264Session(640, 480, Options);
                open.Add(session);
                Encode(session, frames);
            }

            var heapPerSession = (NativeMemory.MallocInUseBytes() - heapBefore) / sessions;
            var perSession = (NativeMemory.ResidentBytes() - before) / sessions;
            output.WriteLine(
                $"640x480 veryfast session: {perSession / 1e6:F2} MB resident each, {heapPerSession / 1e6:F2} MB of native heap " +
                $"({sessions} open, 3 frames each); EstimatedNativeBytes says {H264Session.EstimatedNativeBytes(640, 480) / 1e6:F2} MB");
            Assert.InRange(perSession, 1, 64L << 20);
        }
        finally
        {
            open.ForEach(session => session.Dispose());
        }
    }

    [Fact]
    public void Creating_and_disposing_sessions_does_not_grow_native_memory()
    {
        var frames = FfmpegCli.TestSource(640, 480, 3);
        long afterFirst50 = 0, heapAfterFirst50 = 0;
        for (var cycle = 0; cycle < 300; cycle++)
        {
            using (var session = new H264Session(640, 480, Options))
            {
                Encode(session, frames);
            }

            if (cycle == 49)
            {
                afterFirst50 = NativeMemory.ResidentBytes();
                heapAfterFirst50 = NativeMemory.MallocInUseBytes();
            }
        }

        var growth = NativeMemory.ResidentBytes() - afterFirst50;
        var heapGrowth = NativeMemory.MallocInUseBytes() - heapAfterFirst50;
        output.WriteLine($"growth over cycles 50..300: RSS {growth / 1e6:F2} MB, native heap {heapGrowth / 1e6:F3} MB");
        Assert.True(growth < 30_000_000, $"RSS grew {growth / 1e6:F1} MB over 250 open/encode/dispose cycles");
        // The heap reading moves by a few MB either way between runs (runtime and glibc bookkeeping);
        // a leak of even one frame buffer per session (460 kB) would show as 100+ MB here.
        Assert.True(heapGrowth < 10_000_000, $"native heap grew {heapGrowth / 1e6:F1} MB over 250 open/encode/dispose cycles");
    }

    [Fact]
    public void Decoding_and_muxing_repeatedly_does_not_grow_native_memory()
    {
        using var root = new TempDirectory();
        var packets = Sessions.Encode(FfmpegCli.TestSource(320, 240, 10), 320, 240);
        // 50 writes first: past the runtime's tiered re-compilation (after 30 calls), whose native
        // allocations would otherwise show up as growth.
        long heapAfterFirst50 = 0;
        for (var cycle = 0; cycle < 250; cycle++)
        {
            ClipWriter.Write(new PacketClipRequest(Guid.NewGuid(), 320, 240, packets, 9, null, root.Path), Options);
            if (cycle == 49)
            {
                heapAfterFirst50 = NativeMemory.MallocInUseBytes();
            }
        }

        var heapGrowth = NativeMemory.MallocInUseBytes() - heapAfterFirst50;
        output.WriteLine($"native heap growth over clip writes 50..250 (mux + keyframe decode + JPEG): {heapGrowth / 1e6:F3} MB");
        // The reading moves by a few MB either way between runs; each write opens a muxer and an h264
        // decoder (hundreds of kB of pictures at 320x240), so a leak of either would pass 10 MB by far.
        Assert.True(heapGrowth < 10_000_000, $"native heap grew {heapGrowth / 1e6:F1} MB over 200 clip writes");
    }

    [Fact]
    public void A_session_runs_on_the_callers_thread_and_starts_no_threads_of_its_own()
    {
        var frames = FfmpegCli.TestSource(640, 480, 3);
        var before = NativeMemory.Threads();
        var open = Enumerable.Range(0, 4).Select(_ => new H264Session(640, 480, Options)).ToList();
        try
        {
            open.ForEach(session => Encode(session, frames));

            var during = NativeMemory.Threads();
            output.WriteLine($"threads: {before} before, {during} with 4 sessions open");
            // A little slack for runtime threads (GC, tiered JIT) that may start meanwhile; x264 would add 4+ per session.
            Assert.True(during - before <= 2, $"{during - before} threads more with 4 sessions open");
        }
        finally
        {
            open.ForEach(session => session.Dispose());
        }
    }

    [Fact]
    public void Frames_per_second_of_one_640x480_session_on_veryfast_alone()
    {
        var frames = FfmpegCli.TestSource(640, 480, 20);
        using var session = new H264Session(640, 480, Options);
        session.Encode(frames[0], 0, false); // warm-up: the first frame is an IDR and pays x264's lazy setup

        const int count = 100;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 1; i <= count; i++)
        {
            session.Encode(frames[i % frames.Count], i, false);
        }

        var perSecond = count / stopwatch.Elapsed.TotalSeconds;
        output.WriteLine($"one 640x480 session, veryfast crf 23, keyint 10, one thread: {perSecond:F0} frames/s");
        Assert.True(perSecond > 10, $"{perSecond:F1} frames/s cannot keep up with one 10 fps camera");
    }

    private static void Encode(H264Session session, IReadOnlyList<byte[]> frames)
    {
        for (var i = 0; i < frames.Count; i++)
        {
            session.Encode(frames[i], i, false);
        }
    }
}
