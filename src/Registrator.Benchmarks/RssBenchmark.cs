using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Media;
using static Registrator.Benchmarks.BenchStats;

namespace Registrator.Benchmarks;

/// <summary>
/// How much a node's resident memory grows when 8 tasks (--tasks) buffer 300 frames (--frames) of 640×480 each. A fresh
/// child process (hidden verb <c>rss-child</c>) starts a node (task region + real encoder pool), warms up with one
/// task of 30 frames that it keeps, then reads VmRSS after a full GC; the tasks buffer their frames (every AddFrame
/// carries its own copy of the pixels, as a real producer's frames do; <c>--shared</c> reuses the arrays instead);
/// once every snapshot shows all frames, VmRSS is read again after a full GC (and after an aggressive one, which also
/// gives free GC regions back to the system; the baseline is read after both). The growth is set beside the raw
/// frames it stands for, and beside what the node can account for: the packets (BufferedBytes), the x264 sessions'
/// estimated native memory, and the last raw frame each session keeps for a keyframe JPEG.
/// </summary>
internal static class RssBenchmark
{
    public const string ChildVerb = "rss-child";
    private const double GoalMiB = 150;
    private const double MiB = 1024 * 1024;

    public static int Run(string[] args)
    {
        var (exit, _) = SelfProcess.Run([], ChildVerb, args, captureOutput: false);
        return exit;
    }

    public static async Task<int> RunChild(string[] args)
    {
        var tasks = BenchArgs.Int(args, "--tasks", 8);
        var frames = BenchArgs.Int(args, "--frames", 300);
        var shared = BenchArgs.Flag(args, "--shared");
        var idle = BenchArgs.Int(args, "--idle", 10);
        // Cameras deliver frames at their rate (10 fps: 30 s for 300 frames); --burst pushes them as fast as the
        // tasks take them, a burst that leaves the GC's high-water mark of freed raw frames in the RSS.
        var fps = BenchArgs.Flag(args, "--burst") ? 0 : BenchArgs.Int(args, "--fps", 10);
        var work = Directory.CreateTempSubdirectory("registrator-bench-rss-").FullName;
        try
        {
            var pixels = BenchFrames.Generate(frames);
            using var node = BenchCluster.StartNode(BenchFrames.NodeHocon(Path.Combine(work, "media"), frames));
            var settings = RegistratorSettings.From(node);
            var encoders = EncoderPool.Start(node, settings.Media);
            var region = BenchCluster.StartRegion(node, encoders, ActorRefs.Nobody);

            // Warm-up (kept: its session and packets are part of the baseline, so no freed memory is reused below).
            await BenchFrames.BufferAsync(region, "rss-warm-up", pixels[..30], copyEach: !shared);
            await BenchFrames.WaitBufferedAsync(region, ["rss-warm-up"], 30);
            var before = Reading.Take(TimeSpan.Zero);

            var keys = Enumerable.Range(0, tasks).Select(i => $"rss-{i}").ToArray();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(keys.Select(key => BenchFrames.BufferAsync(region, key, pixels, copyEach: !shared, paceFps: fps)));
            var snapshots = await BenchFrames.WaitBufferedAsync(region, keys, frames);
            clock.Stop();
            var after = Reading.Take(TimeSpan.FromSeconds(idle));

            var buffered = snapshots.Sum(s => s.BufferedBytes);
            var held = snapshots.Sum(s => (long)s.FrameCount);
            var dropped = snapshots.Sum(s => s.FramesDropped);
            var sessions = tasks * H264Session.EstimatedNativeBytes(BenchFrames.Width, BenchFrames.Height);
            var lastFrames = (long)tasks * BenchFrames.FrameBytes;
            var raw = (long)tasks * frames * BenchFrames.FrameBytes;
            // Both against the baseline after the aggressive GC: that is the state the buffering started from.
            var growth = (after.RssBytes - before.RssAggressiveBytes) / MiB;
            var growthAggressive = (after.RssAggressiveBytes - before.RssAggressiveBytes) / MiB;
            var accounted = (buffered + sessions + lastFrames) / MiB;

            Console.WriteLine($"## Node RSS growth: {tasks} tasks × {frames} frames of {BenchFrames.Width}x{BenchFrames.Height} testsrc2 buffered (fresh process, encoder pool of {settings.Media.PoolSize})");
            Console.WriteLine();
            Console.WriteLine(Invariant($"Producers: {tasks} cameras at {(fps > 0 ? fps + " fps" : "full speed (a burst)")}."));
            Console.WriteLine(shared
                ? "Producer: every AddFrame reuses one shared array per frame (--shared)."
                : "Producer: every AddFrame carries its own copy of the pixels (as frames from remoting or NATS do); they are garbage once encoded.");
            Console.WriteLine(Invariant($"Buffered in {clock.Elapsed.TotalSeconds:F1} s ({tasks * frames / clock.Elapsed.TotalSeconds:F0} frames/s through the pool; {LoadAverage()}); frames held {held} of {tasks * frames}, FramesDropped {dropped}."));
            Console.WriteLine();
            Console.WriteLine("| reading | before MiB | after MiB | growth MiB | ÷ raw frames held (" + Invariant($"{raw / MiB:F0}") + " MiB) | ÷ accounted (" + Invariant($"{accounted:F1}") + " MiB) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            Console.WriteLine(Invariant($"| VmRSS after GC.Collect() | {before.RssAggressiveBytes / MiB:F1} | {after.RssBytes / MiB:F1} | {growth:F1} | {growth * MiB / raw:F3}× | {growth / accounted:F2}× |"));
            Console.WriteLine(Invariant($"| VmRSS {idle} s later, idle | {before.RssAggressiveBytes / MiB:F1} | {after.RssIdleBytes / MiB:F1} | {(after.RssIdleBytes - before.RssAggressiveBytes) / MiB:F1} | {(after.RssIdleBytes - before.RssAggressiveBytes) / (double)raw:F3}× | {(after.RssIdleBytes - before.RssAggressiveBytes) / MiB / accounted:F2}× |"));
            Console.WriteLine(Invariant($"| VmRSS after an aggressive GC (free GC regions decommitted) | {before.RssAggressiveBytes / MiB:F1} | {after.RssAggressiveBytes / MiB:F1} | {growthAggressive:F1} | {growthAggressive * MiB / raw:F3}× | {growthAggressive / accounted:F2}× |"));
            Console.WriteLine(Invariant($"| GC committed after GC.Collect() | {before.CommittedAggressiveBytes / MiB:F1} | {after.CommittedBytes / MiB:F1} | {(after.CommittedBytes - before.CommittedAggressiveBytes) / MiB:F1} | | |"));
            Console.WriteLine(Invariant($"| GC committed after an aggressive GC | {before.CommittedAggressiveBytes / MiB:F1} | {after.CommittedAggressiveBytes / MiB:F1} | {(after.CommittedAggressiveBytes - before.CommittedAggressiveBytes) / MiB:F1} | | |"));
            Console.WriteLine(Invariant($"| live managed heap (after the aggressive GC) | {before.HeapBytes / MiB:F1} | {after.HeapBytes / MiB:F1} | {(after.HeapBytes - before.HeapBytes) / MiB:F1} | | |"));
            Console.WriteLine();
            Console.WriteLine(Invariant($"accounted = packets {buffered / MiB:F1} MiB (sum of BufferedBytes, {(double)buffered / Math.Max(1, held):N0} B a frame) + x264 sessions {sessions / MiB:F1} MiB ({tasks} × H264Session.EstimatedNativeBytes = {H264Session.EstimatedNativeBytes(BenchFrames.Width, BenchFrames.Height):N0} B) + last raw frame per session {lastFrames / MiB:F1} MiB"));
            Console.WriteLine(Invariant($"goal: growth ≤ {GoalMiB} MiB — after GC.Collect() {growth:F1} MiB: {Met(growth <= GoalMiB)}; after an aggressive GC {growthAggressive:F1} MiB: {Met(growthAggressive <= GoalMiB)}"));
            await node.Terminate();
            return held == (long)tasks * frames && dropped == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>VmRSS and the GC's committed bytes after a full blocking GC, the same after an aggressive one, and the live heap then.</summary>
    private readonly record struct Reading(
        long RssBytes, long CommittedBytes, long RssIdleBytes, long CommittedIdleBytes, long RssAggressiveBytes, long CommittedAggressiveBytes, long HeapBytes)
    {
        public static Reading Take(TimeSpan idle)
        {
            Settle(GCCollectionMode.Forced);
            var rss = VmRss();
            var committed = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
            Thread.Sleep(idle);
            var rssIdle = VmRss();
            var committedIdle = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
            Settle(GCCollectionMode.Aggressive);
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            return new Reading(rss, committed, rssIdle, committedIdle, VmRss(), info.TotalCommittedBytes, info.HeapSizeBytes - info.FragmentedBytes);
        }

        private static void Settle(GCCollectionMode mode)
        {
            GC.Collect(GC.MaxGeneration, mode, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, mode, blocking: true, compacting: true);
            Thread.Sleep(200);
        }

        private static long VmRss()
        {
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
        }
    }
}
