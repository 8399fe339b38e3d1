using System.Diagnostics;
using System.Globalization;
using Registrator.Media;

namespace Registrator.Benchmarks;

/// <summary>
/// Encodes the same 640×480 testsrc2 frames to H.264/MP4 (libx264 veryfast, crf 23, yuv420p, 10 fps)
/// with the in-process <see cref="Mp4Writer"/> and with an <c>ffmpeg</c> child process reading the raw
/// frames from a file, and prints wall and CPU medians as a Markdown table. The CLI is timed as a
/// whole process (start-up included), because that is what a clip would cost if we shelled out;
/// ours is timed from frames in memory (as the encoder actor holds them) to a finished file.
/// Both sides use libx264's default (automatic) threading.
/// </summary>
internal static class MediaEncodeBenchmark
{
    private const int Width = 640;
    private const int Height = 480;
    private static readonly int[] FrameCounts = [30, 300];
    private static readonly EncoderOptions Options = new() { Preset = "veryfast", Crf = 23, FramesPerSecond = 10 };

    /// <summary>Wall-clock ratio ours/CLI each clip length must reach.</summary>
    private static readonly Dictionary<int, double> Targets = new() { [30] = 0.8, [300] = 1.05 };

    public static int Run(string[] args)
    {
        var runs = ParseRuns(args);
        FfmpegRuntime.EnsureAvailable();
        var folder = Path.Combine(Path.GetTempPath(), "registrator-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            return Measure(folder, runs);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int Measure(string folder, int runs)
    {
        var frameBytes = Width * Height * 3;
        var allRaw = GenerateTestSource(FrameCounts.Max());
        var rows = new List<Row>();
        var jpegTimes = new List<double>();

        foreach (var count in FrameCounts)
        {
            var rawPath = Path.Combine(folder, $"raw{count}.bgr");
            File.WriteAllBytes(rawPath, allRaw.AsSpan(0, count * frameBytes).ToArray());
            var frames = Enumerable.Range(0, count)
                .Select(i => new BgrFrame(allRaw.AsSpan(i * frameBytes, frameBytes).ToArray()))
                .ToList();
            var oursPath = Path.Combine(folder, $"ours{count}.mp4");
            var cliPath = Path.Combine(folder, $"cli{count}.mp4");

            // Warm-up: JIT, library loading, page cache for the raw file and the ffmpeg binary.
            EncodeInProcess(frames, oursPath);
            EncodeWithCli(rawPath, cliPath);

            var ours = new List<Sample>();
            var cli = new List<Sample>();
            for (var run = 0; run < runs; run++)
            {
                // Interleaved so both sides see the same background load over the measurement.
                ours.Add(EncodeInProcess(frames, oursPath));
                cli.Add(EncodeWithCli(rawPath, cliPath));
            }

            jpegTimes.Add(Median(Enumerable.Range(0, runs).Select(_ => EncodeJpeg(frames[^1], folder)).ToList()));
            rows.Add(new Row(
                count,
                Median(ours.Select(s => s.WallMs).ToList()),
                Median(cli.Select(s => s.WallMs).ToList()),
                Median(ours.Select(s => s.CpuMs).ToList()),
                Median(cli.Select(s => s.CpuMs).ToList()),
                new FileInfo(oursPath).Length,
                new FileInfo(cliPath).Length));
        }

        Print(rows, jpegTimes.Median(), runs);
        return 0;
    }

    private static Sample EncodeInProcess(IReadOnlyList<BgrFrame> frames, string path)
    {
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        using (var writer = new Mp4Writer(path, Width, Height, Options))
        {
            foreach (var frame in frames)
            {
                writer.Write(frame);
            }

            writer.Finish();
        }

        var wall = Stopwatch.GetElapsedTime(started);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new Sample(wall.TotalMilliseconds, cpu.TotalMilliseconds);
    }

    private static Sample EncodeWithCli(string rawPath, string outputPath)
    {
        var start = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in CliArguments(rawPath, outputPath))
        {
            start.ArgumentList.Add(argument);
        }

        var cpuBefore = ChildProcessCpu.Total();
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var wall = Stopwatch.GetElapsedTime(started);
        var cpu = ChildProcessCpu.Total() - cpuBefore;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg exited with {process.ExitCode}: {errors}");
        }

        return new Sample(wall.TotalMilliseconds, cpu.TotalMilliseconds);
    }

    private static string[] CliArguments(string rawPath, string outputPath) =>
    [
        "-y", "-v", "error", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{Width}x{Height}", "-r", "10",
        "-i", rawPath, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", outputPath,
    ];

    private static double EncodeJpeg(BgrFrame frame, string folder)
    {
        var started = Stopwatch.GetTimestamp();
        File.WriteAllBytes(Path.Combine(folder, "keyframe.jpg"), JpegKeyframe.Encode(frame, Width, Height, Options.JpegQuality));
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    internal static byte[] GenerateTestSource(int count)
    {
        var start = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[]
        {
            "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={Width}x{Height}:rate=10",
            "-frames:v", count.ToString(CultureInfo.InvariantCulture), "-f", "rawvideo", "-pix_fmt", "bgr24", "-",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        using var raw = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(raw);
        process.WaitForExit();
        if (process.ExitCode != 0 || raw.Length != (long)count * Width * Height * 3)
        {
            throw new InvalidOperationException($"ffmpeg testsrc2 gave {raw.Length} bytes, exit code {process.ExitCode}");
        }

        return raw.ToArray();
    }

    private static void Print(List<Row> rows, double jpegMs, int runs)
    {
        Console.WriteLine($"# Media encode: in-process Mp4Writer vs ffmpeg CLI ({Width}x{Height} testsrc2, libx264 veryfast crf 23, yuv420p, 10 fps)");
        Console.WriteLine();
        Console.WriteLine($"{FfmpegRuntime.Describe()}; {Environment.ProcessorCount} cores; median of {runs} runs after 1 warm-up; ratio = ours / CLI.");
        Console.WriteLine();
        Console.WriteLine("| frames | ours wall ms | CLI wall ms | wall ratio | ours CPU ms | CLI CPU ms | CPU ratio | ours bytes | CLI bytes |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {row.Frames} | {row.OursWallMs:F1} | {row.CliWallMs:F1} | {row.WallRatio:F2}× | {row.OursCpuMs:F1} | {row.CliCpuMs:F1} | {row.CpuRatio:F2}× | {row.OursBytes} | {row.CliBytes} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"JPEG keyframe (quality {Options.JpegQuality}, encode + write), median: {jpegMs:F2} ms"));
        Console.WriteLine();
        Console.WriteLine("target: ≤0.8× at 30 frames, ≤1.05× at 300 frames (wall time)");
        foreach (var row in rows)
        {
            var target = Targets[row.Frames];
            var met = row.WallRatio <= target ? "met" : "NOT met";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- {row.Frames} frames: {row.WallRatio:F2}× vs ≤{target}× — {met}"));
        }
    }

    private static int ParseRuns(string[] args)
    {
        var index = Array.IndexOf(args, "--runs");
        if (index < 0)
        {
            return 5;
        }

        if (index + 1 >= args.Length || !int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var runs) || runs < 1)
        {
            throw new ArgumentException("--runs needs a positive number");
        }

        return runs;
    }

    private static double Median(this List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private readonly record struct Sample(double WallMs, double CpuMs);

    private sealed record Row(int Frames, double OursWallMs, double CliWallMs, double OursCpuMs, double CliCpuMs, long OursBytes, long CliBytes)
    {
        public double WallRatio => OursWallMs / CliWallMs;

        public double CpuRatio => OursCpuMs / CliCpuMs;
    }
}
