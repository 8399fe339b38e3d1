using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Registrator.Media;
using static Registrator.Benchmarks.BenchStats;

namespace Registrator.Benchmarks;

/// <summary>
/// One live encoder session's speed on one core against the ffmpeg CLI with the same x264 settings on the same frames.
/// Ours: this binary re-started under <c>taskset -c 0</c> (hidden verb <c>session-child</c>) reads the raw 640×480
/// BGR24 frames into memory, warms up, then times opening an <see cref="H264Session"/> and encoding every frame
/// (BGR → yuv420p in libswscale, libx264 veryfast, crf 23, zerolatency, 1 thread, keyint 10, no scene cuts).
/// Theirs: <c>taskset -c 0 ffmpeg ... -f null -</c> reading the same frames from a file, timed by its own
/// <c>-benchmark</c> (the transcode: encoder set-up, reading, conversion, encoding; not process start-up). Runs
/// alternate so both see the same machine; medians. The CPU time of our run also gives CPU seconds per camera-hour.
/// </summary>
internal static partial class SessionBenchmark
{
    public const string ChildVerb = "session-child";
    private const double Goal = 0.9;
    private const int CameraHourFrames = 3600 * BenchFrames.FramesPerSecond;

    public static int Run(string[] args)
    {
        var frames = BenchArgs.Int(args, "--frames", 300);
        var runs = BenchArgs.Int(args, "--runs", 5);
        var noise = BenchArgs.Flag(args, "--noise");
        FfmpegRuntime.EnsureAvailable();
        var work = Directory.CreateTempSubdirectory("registrator-bench-session-").FullName;
        try
        {
            var raw = Path.Combine(work, "frames.bgr");
            BenchFrames.WriteRaw(raw, BenchFrames.Generate(frames, noise ? BenchFrames.NoiseFilter : null));

            // Warm-up: the page cache for the raw file, both binaries, the runtime's own files.
            Ours(raw, frames);
            Theirs(raw);
            var ours = new List<OursSample>();
            var theirs = new List<CliSample>();
            for (var run = 0; run < runs; run++)
            {
                ours.Add(Ours(raw, frames));
                theirs.Add(Theirs(raw));
            }

            Print(frames, runs, noise, ours, theirs);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The hidden verb: encodes the frames of a raw file through one session and prints one line of figures.</summary>
    public static int RunChild(string[] args)
    {
        var raw = BenchArgs.Text(args, "--input") ?? throw new ArgumentException("--input names the raw frames");
        var frames = BenchFrames.ReadRaw(raw, BenchArgs.Int(args, "--frames", 300));

        // Warm-up: libraries loaded, x264 and swscale tables built, the managed path compiled.
        using (var warm = new H264Session(BenchFrames.Width, BenchFrames.Height, BenchFrames.Options))
        {
            for (var i = 0; i < Math.Min(30, frames.Length); i++) warm.Encode(frames[i], i, forceKeyframe: false);
        }
        GC.Collect();

        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        long bytes = 0;
        var keyframes = 0;
        using (var session = new H264Session(BenchFrames.Width, BenchFrames.Height, BenchFrames.Options))
        {
            for (var i = 0; i < frames.Length; i++)
            {
                var packet = session.Encode(frames[i], i, forceKeyframe: false);
                bytes += packet.Data.Length;
                if (packet.IsKeyframe) keyframes++;
            }
        }
        var wall = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        Console.WriteLine(Invariant($"{ChildVerb} wall_ms={wall.TotalMilliseconds:F3} cpu_ms={cpu.TotalMilliseconds:F3} bytes={bytes} keyframes={keyframes} cores={Environment.ProcessorCount}"));
        return 0;
    }

    private static OursSample Ours(string raw, int frames)
    {
        var (exit, output) = SelfProcess.Run(["taskset", "-c", "0"], ChildVerb, ["--input", raw, "--frames", $"{frames}"], captureOutput: true);
        var match = ChildLine().Match(output);
        if (exit != 0 || !match.Success) throw new InvalidOperationException($"{ChildVerb} exited with {exit}: {output}");
        return new OursSample(
            double.Parse(match.Groups["wall"].Value, CultureInfo.InvariantCulture),
            double.Parse(match.Groups["cpu"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["bytes"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["keyframes"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["cores"].Value, CultureInfo.InvariantCulture));
    }

    private static CliSample Theirs(string raw)
    {
        var start = new ProcessStartInfo("taskset") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in TasksetArguments(raw)) start.ArgumentList.Add(argument);
        var cpuBefore = ChildProcessCpu.Total();
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("taskset ffmpeg did not start");
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var wall = Stopwatch.GetElapsedTime(started);
        var cpu = ChildProcessCpu.Total() - cpuBefore;
        var bench = BenchLine().Match(errors);
        var size = SizeLine().Match(errors);
        if (process.ExitCode != 0 || !bench.Success || !size.Success)
            throw new InvalidOperationException($"ffmpeg exited with {process.ExitCode}: {errors}");
        double Seconds(string group) => double.Parse(bench.Groups[group].Value, CultureInfo.InvariantCulture) * 1000;
        return new CliSample(Seconds("rtime"), Seconds("utime") + Seconds("stime"), wall.TotalMilliseconds, cpu.TotalMilliseconds,
            long.Parse(size.Groups["kb"].Value, CultureInfo.InvariantCulture) * 1024);
    }

    /// <summary>The same settings as <see cref="H264Session"/> with the node's default <see cref="EncoderOptions"/>.</summary>
    internal static string[] TasksetArguments(string raw)
    {
        var options = BenchFrames.Options;
        return
        [
            "-c", "0", "ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-benchmark",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{BenchFrames.Width}x{BenchFrames.Height}", "-r", $"{options.FramesPerSecond}", "-i", raw,
            "-c:v", "libx264", "-preset", options.Preset, "-crf", $"{options.Crf}", "-tune", "zerolatency", "-threads", "1",
            "-x264-params", $"keyint={options.EffectiveKeyint}:scenecut=0", "-pix_fmt", "yuv420p", "-f", "null", "-",
        ];
    }

    private static void Print(int frames, int runs, bool noise, List<OursSample> ours, List<CliSample> theirs)
    {
        var oursMs = Median(ours.Select(s => s.WallMs));
        var oursCpuMs = Median(ours.Select(s => s.CpuMs));
        var theirsMs = Median(theirs.Select(s => s.RtimeMs));
        var theirsCpuMs = Median(theirs.Select(s => s.CpuMs));
        double PerSecond(double ms) => frames / (ms / 1000);
        var wallRatio = PerSecond(oursMs) / PerSecond(theirsMs);
        var cpuRatio = PerSecond(oursCpuMs) / PerSecond(theirsCpuMs);
        var oursHour = oursCpuMs / 1000 / frames * CameraHourFrames;
        var theirsHour = theirsCpuMs / 1000 / frames * CameraHourFrames;
        string Runs(IEnumerable<double> ms) => string.Join(", ", ms.Select(m => m.ToString("F0", CultureInfo.InvariantCulture)));

        var options = BenchFrames.Options;
        Console.WriteLine(Invariant($"## One encoder session on one core (taskset -c 0): H264Session vs ffmpeg -c:v libx264, {frames} frames of {BenchFrames.Width}x{BenchFrames.Height} {(noise ? $"testsrc2 + {BenchFrames.NoiseFilter}" : "testsrc2")}"));
        Console.WriteLine();
        Console.WriteLine(Invariant($"{FfmpegRuntime.Describe()}; libx264 {options.Preset}, crf {options.Crf}, tune zerolatency, 1 thread, keyint {options.EffectiveKeyint}, no scene cuts, {options.FramesPerSecond} fps; the child saw {ours[0].Cores} core(s); median of {runs} alternating runs after 1 warm-up each; {LoadAverage()}."));
        Console.WriteLine("ffmpeg: " + string.Join(' ', TasksetArguments("<frames.bgr>").Prepend("taskset")));
        Console.WriteLine();
        Console.WriteLine("| encoder | wall ms | frames/s (wall) | CPU ms | frames per CPU second | CPU s per camera-hour (10 fps) | H.264 bytes | runs, wall ms | runs, CPU ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|---|");
        Console.WriteLine(Invariant(
            $"| ours: H264Session, frames in memory (session open + encode) | {oursMs:F1} | {PerSecond(oursMs):F1} | {oursCpuMs:F1} | {PerSecond(oursCpuMs):F1} | {oursHour:F0} | {ours[0].Bytes:N0} | {Runs(ours.Select(s => s.WallMs))} | {Runs(ours.Select(s => s.CpuMs))} |"));
        Console.WriteLine(Invariant(
            $"| ffmpeg CLI, -benchmark (the transcode, not process start-up) | {theirsMs:F1} | {PerSecond(theirsMs):F1} | {theirsCpuMs:F1} | {PerSecond(theirsCpuMs):F1} | {theirsHour:F0} | ≈{theirs[0].Bytes:N0} | {Runs(theirs.Select(s => s.RtimeMs))} | {Runs(theirs.Select(s => s.CpuMs))} |"));
        Console.WriteLine();
        Console.WriteLine(Invariant($"ffmpeg as a whole process (start-up included): median {Median(theirs.Select(s => s.ProcessWallMs)):F1} ms wall, {Median(theirs.Select(s => s.ProcessCpuMs)):F1} ms CPU."));
        Console.WriteLine(Invariant($"keyframes in our stream: {ours[0].Keyframes} (1 per {options.EffectiveKeyint} frames); ffmpeg's size is its 'video:…kB' line, to 1 kB: same settings, same stream size."));
        Console.WriteLine(Invariant($"CPU per camera-hour at {options.FramesPerSecond} fps: ours {oursHour:F0} s ({oursCpuMs / frames:F2} ms a frame × {CameraHourFrames:N0} frames), ffmpeg {theirsHour:F0} s; ratio ours/ffmpeg {oursHour / theirsHour:F2}×; one core keeps up with {3600 / oursHour:F1} such cameras."));
        Console.WriteLine();
        Console.WriteLine("Wall time counts whatever else shares core 0 (other processes on this machine); CPU time does not, so on a busy machine the CPU ratio is the steadier one.");
        Console.WriteLine(Invariant($"ratio ours/ffmpeg, frames per CPU second = {cpuRatio:F2}× (goal ≥ {Goal}×: {Met(cpuRatio >= Goal)})"));
        Console.WriteLine(Invariant($"ratio ours/ffmpeg, frames per wall second = {wallRatio:F2}× (goal ≥ {Goal}×: {Met(wallRatio >= Goal)})"));
    }

    [GeneratedRegex(@"session-child wall_ms=(?<wall>[\d.]+) cpu_ms=(?<cpu>[\d.]+) bytes=(?<bytes>\d+) keyframes=(?<keyframes>\d+) cores=(?<cores>\d+)")]
    private static partial Regex ChildLine();

    [GeneratedRegex(@"bench: utime=(?<utime>[\d.]+)s stime=(?<stime>[\d.]+)s rtime=(?<rtime>[\d.]+)s")]
    private static partial Regex BenchLine();

    [GeneratedRegex(@"video:(?<kb>\d+)kB")]
    private static partial Regex SizeLine();

    private readonly record struct OursSample(double WallMs, double CpuMs, long Bytes, int Keyframes, int Cores);

    /// <summary>ffmpeg's own transcode time and CPU, and the whole process as the parent saw it.</summary>
    private readonly record struct CliSample(double RtimeMs, double CpuMs, double ProcessWallMs, double ProcessCpuMs, long Bytes);
}
