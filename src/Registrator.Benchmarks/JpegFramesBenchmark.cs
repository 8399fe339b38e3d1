using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Contracts;
using Registrator.Media;
using static Registrator.Benchmarks.BenchStats;

namespace Registrator.Benchmarks;

/// <summary>
/// JPEG frames a node decodes and buffers per core: 640×480 testsrc2 frames as JPEG (quality 90, as cameras and the
/// cluster benchmark send them) go as AddFrame (format JPEG, as the NATS bridge forwards them) into K tasks at once on a
/// single-node region with the real encoder pool, in a child process pinned to one core (<c>taskset -c 0</c>: one
/// encoder); each task decodes nothing itself: its encoder decodes the JPEG and encodes it into the task's H.264
/// buffer. Timed from the first frame until every task holds every frame; three rounds on fresh keys after a warm-up,
/// the median; the child's CPU time beside the wall time, so "per core" holds even when the core is shared.
/// </summary>
internal static class JpegFramesBenchmark
{
    public const string ChildVerb = "jpeg-frames-child";

    public static int Run(string[] args)
    {
        var frames = BenchArgs.Int(args, "--frames", 300);
        var keys = BenchArgs.Int(args, "--keys", 4);
        var work = Directory.CreateTempSubdirectory("registrator-bench-jpeg-").FullName;
        try
        {
            var jpegs = BenchFrames.Generate(frames).Select(f => JpegKeyframe.Encode(f, BenchFrames.Width, BenchFrames.Height, 90)).ToArray();
            var file = Path.Combine(work, "frames.bin");
            using (var writer = new BinaryWriter(File.Create(file)))
            {
                foreach (var jpeg in jpegs)
                {
                    writer.Write(jpeg.Length);
                    writer.Write(jpeg);
                }
            }
            var (exit, output) = SelfProcess.Run(["taskset", "-c", "0"], ChildVerb,
                [file, frames.ToString(CultureInfo.InvariantCulture), keys.ToString(CultureInfo.InvariantCulture), Path.Combine(work, "media")], captureOutput: true);
            var rounds = output.Split('\n').Where(l => l.StartsWith("round ", StringComparison.Ordinal))
                .Select(l => l.Split(' ')).Select(w => (Wall: double.Parse(w[1], CultureInfo.InvariantCulture), Cpu: double.Parse(w[2], CultureInfo.InvariantCulture))).ToArray();
            if (exit != 0 || rounds.Length == 0)
            {
                Console.Error.WriteLine($"jpeg: the child failed (exit {exit}): {output}");
                return 1;
            }
            var total = (double)frames * keys;
            Console.WriteLine($"## JPEG frames decoded and buffered per core: {keys} tasks × {frames} frames of {BenchFrames.Width}x{BenchFrames.Height} testsrc2 as JPEG q90 ({jpegs.Average(j => j.Length):N0} B each)");
            Console.WriteLine();
            Console.WriteLine(Invariant($"AddFrame (JPEG) → task → encoder (JPEG decode + libx264 into the task's H.264 buffer); one node process pinned to one core (taskset -c 0, encoder pool of 1); {LoadAverage()}."));
            Console.WriteLine();
            Console.WriteLine("| round | wall s | frames/s on one core (wall) | CPU s | frames per CPU second |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            for (var i = 0; i < rounds.Length; i++)
                Console.WriteLine(Invariant($"| {i + 1} | {rounds[i].Wall:F2} | {total / rounds[i].Wall:F0} | {rounds[i].Cpu:F2} | {total / rounds[i].Cpu:F0} |"));
            var wall = Median(rounds.Select(r => r.Wall));
            var cpu = Median(rounds.Select(r => r.Cpu));
            Console.WriteLine(Invariant($"| median | {wall:F2} | {total / wall:F0} | {cpu:F2} | {total / cpu:F0} |"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The pinned node: a warm-up round, then three measured rounds, each printed as <c>round wall cpu</c>.</summary>
    public static async Task<int> RunChild(string[] args)
    {
        var jpegs = ReadFrames(args[0], int.Parse(args[1], CultureInfo.InvariantCulture));
        var keys = int.Parse(args[2], CultureInfo.InvariantCulture);
        using var node = BenchCluster.StartNode(BenchFrames.NodeHocon(args[3], jpegs.Length));
        var encoders = EncoderPool.Start(node, RegistratorSettings.From(node).Media);
        var region = BenchCluster.StartRegion(node, encoders, ActorRefs.Nobody);

        await RoundAsync(region, "jpeg-warm-up", 1, jpegs[..Math.Min(jpegs.Length, 30)]);
        for (var round = 0; round < 3; round++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await RoundAsync(region, $"jpeg-{round}", keys, jpegs);
            var wall = clock.Elapsed.TotalSeconds;
            var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {wall:F4} {used:F4}"));
        }
        await node.Terminate();
        return 0;
    }

    private static async Task RoundAsync(IActorRef region, string prefix, int keys, byte[][] jpegs)
    {
        var names = Enumerable.Range(0, keys).Select(k => $"{prefix}-{k}").ToArray();
        await Task.WhenAll(names.Select(key => SendAsync(region, key, jpegs)));
        var snapshots = await BenchFrames.WaitBufferedAsync(region, names, jpegs.Length);
        if (snapshots.FirstOrDefault(s => s.FrameCount != jpegs.Length) is { } short_)
            throw new InvalidOperationException($"[{short_.TaskKey}] {short_.FrameCount} of {jpegs.Length} frames buffered");
    }

    /// <summary>As <see cref="BenchFrames.BufferAsync"/>, with the JPEG bytes as the bridge forwards them: each frame its own copy.</summary>
    private static async Task SendAsync(IActorRef region, string key, byte[][] jpegs, int inFlight = 4)
    {
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        for (var i = 0; i < jpegs.Length; i++)
        {
            var frame = new TaskCommands.AddFrame(key, BenchFrames.Width, BenchFrames.Height, (byte[])jpegs[i].Clone(),
                i.ToString(CultureInfo.InvariantCulture), start + (double)i / BenchFrames.FramesPerSecond, FrameFormat.Jpeg);
            var reply = await region.Ask<object>(frame, TimeSpan.FromSeconds(30));
            if (reply is not TaskReplies.Accepted) throw new InvalidOperationException($"[{key}] frame {i} not accepted: {reply}");
            if ((i + 1) % inFlight == 0)
            {
                while ((await BenchFrames.SnapshotAsync(region, key)).FramesPending > inFlight) await Task.Delay(2);
            }
        }
    }

    private static byte[][] ReadFrames(string path, int count)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var frames = new byte[count][];
        for (var i = 0; i < count; i++) frames[i] = reader.ReadBytes(reader.ReadInt32());
        return frames;
    }
}
