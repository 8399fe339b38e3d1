using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using static Registrator.Benchmarks.BenchStats;

namespace Registrator.Benchmarks;

/// <summary>
/// Bytes a task holds per buffered 640×480 frame now that frames are H.264 packets: N (default 300) frames of ffmpeg's
/// testsrc2, and of testsrc2 under strong temporal noise (<c>--noise-filter</c> picks another ffmpeg filter), are sent as AddFrame into a task on a single-node region with
/// the real encoder pool (node defaults: veryfast, crf 23, 10 fps, a keyframe every second); once the task's
/// snapshot shows them all buffered, BufferedBytes / FrameCount is set beside the 921,600 bytes of the raw frame. The
/// same frames through one <see cref="Registrator.Media.H264Session"/> directly are the cross-check.
/// </summary>
internal static class BufferBenchmark
{
    private const double Goal = 0.05;

    public static async Task<int> Run(string[] args)
    {
        var frames = BenchArgs.Int(args, "--frames", 300);
        var noise = BenchArgs.Text(args, "--noise-filter") ?? BenchFrames.NoiseFilter;
        var work = Directory.CreateTempSubdirectory("registrator-bench-buffer-").FullName;
        try
        {
            using var node = BenchCluster.StartNode(BenchFrames.NodeHocon(Path.Combine(work, "media"), frames));
            var settings = RegistratorSettings.From(node);
            var encoders = EncoderPool.Start(node, settings.Media);
            var region = BenchCluster.StartRegion(node, encoders, ActorRefs.Nobody);

            var rows = new List<Row>();
            foreach (var (name, filter) in new[] { ("testsrc2", (string?)null), ($"testsrc2 + {noise}", noise) })
            {
                var pixels = BenchFrames.Generate(frames, filter);
                var key = $"buffer-{rows.Count}";
                await BenchFrames.BufferAsync(region, key, pixels);
                var snapshot = (await BenchFrames.WaitBufferedAsync(region, [key], frames))[0];
                var direct = BenchFrames.EncodeDirect(pixels).Sum(p => (long)p.Data.Length);
                rows.Add(new Row(name, snapshot.FrameCount, snapshot.FramesDropped + snapshot.FramesSkipped + snapshot.FramesLate,
                    snapshot.BufferedBytes, direct, frames));
            }
            await node.Terminate();

            Console.WriteLine($"## Buffered bytes per frame: {frames} frames of {BenchFrames.Width}x{BenchFrames.Height} AddFrame → task → encoder pool ({settings.Media.PoolSize}) → H.264 packets");
            Console.WriteLine();
            Console.WriteLine(Invariant($"Encoder: libx264 {settings.Media.Encoder.Preset}, crf {settings.Media.Encoder.Crf}, {settings.Media.Encoder.FramesPerSecond} fps, keyint {settings.Media.Encoder.EffectiveKeyint}, zerolatency, 1 thread; reference = {BenchFrames.FrameBytes:N0} raw BGR24 bytes a frame."));
            Console.WriteLine();
            Console.WriteLine("| source | frames buffered | dropped | BufferedBytes | bytes per frame | ÷ raw frame | H264Session direct, bytes per frame | task ÷ direct |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in rows)
            {
                Console.WriteLine(Invariant(
                    $"| {row.Source} | {row.Buffered} | {row.Dropped} | {row.BufferedBytes:N0} | {row.PerFrame:N0} | {row.PerFrame / BenchFrames.FrameBytes:F4}× | {row.DirectPerFrame:N0} | {row.PerFrame / row.DirectPerFrame:F3}× |"));
            }
            Console.WriteLine();
            Console.WriteLine(Invariant($"goal: ≤ {Goal}× the raw frame"));
            foreach (var row in rows)
                Console.WriteLine(Invariant($"- {row.Source}: {row.PerFrame / BenchFrames.FrameBytes:F4}× — {Met(row.PerFrame / BenchFrames.FrameBytes <= Goal)}"));
            return rows.All(r => r.Buffered == frames && r.Dropped == 0) ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private sealed record Row(string Source, int Buffered, long Dropped, long BufferedBytes, long DirectBytes, int Frames)
    {
        public double PerFrame => Buffered == 0 ? double.NaN : (double)BufferedBytes / Buffered;

        public double DirectPerFrame => (double)DirectBytes / Frames;
    }
}
