using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Registrator.Contracts;
using Registrator.Media;

namespace Registrator.Benchmarks;

/// <summary>
/// The benchmarks' frames (640×480 BGR24 from the ffmpeg CLI's testsrc2, optionally through a filter) and the producer
/// side of buffering them: AddFrame into a task with capture times 1/fps apart, as a camera sending at its own pace.
/// </summary>
internal static class BenchFrames
{
    public const int Width = 640, Height = 480, FramesPerSecond = 10;

    /// <summary>Bytes of one raw frame: 921,600.</summary>
    public const int FrameBytes = Width * Height * 3;

    /// <summary>Strong temporal noise on every pixel: close to the worst case for an inter-frame codec.</summary>
    public const string NoiseFilter = "noise=alls=20:allf=t";

    /// <summary>The encoder settings of the node's defaults (hocon/registrator.conf): veryfast, crf 23, 10 fps, keyint = fps.</summary>
    public static readonly EncoderOptions Options = new();

    /// <summary>How long the producer waits for one task's answer.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary><paramref name="count"/> frames of testsrc2 at 10 fps, through <paramref name="filter"/> when given; each frame its own array.</summary>
    public static byte[][] Generate(int count, string? filter = null)
    {
        var start = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardOutput = true };
        var arguments = new List<string> { "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={Width}x{Height}:rate={FramesPerSecond}" };
        if (filter is not null) arguments.AddRange(["-vf", filter]);
        arguments.AddRange(["-frames:v", count.ToString(CultureInfo.InvariantCulture), "-f", "rawvideo", "-pix_fmt", "bgr24", "-"]);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var frames = new byte[count][];
        var output = process.StandardOutput.BaseStream;
        try
        {
            for (var i = 0; i < count; i++)
            {
                frames[i] = new byte[FrameBytes];
                output.ReadExactly(frames[i]);
            }
        }
        catch (EndOfStreamException)
        {
            process.WaitForExit();
            throw new InvalidOperationException($"ffmpeg testsrc2 ({filter ?? "no filter"}) ended before {count} frames, exit code {process.ExitCode}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg testsrc2 ({filter ?? "no filter"}) exited with {process.ExitCode}");
        return frames;
    }

    public static void WriteRaw(string path, IReadOnlyList<byte[]> frames)
    {
        using var file = File.Create(path);
        foreach (var frame in frames) file.Write(frame);
    }

    public static byte[][] ReadRaw(string path, int count)
    {
        using var file = File.OpenRead(path);
        var frames = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            frames[i] = new byte[FrameBytes];
            file.ReadExactly(frames[i]);
        }
        return frames;
    }

    /// <summary>
    /// Node HOCON for buffering: clips under <paramref name="mediaPath"/>, room for <paramref name="maxFrames"/> frames a
    /// task, and no reorder window (the producer sends in capture order, so frames go to the encoder as they arrive
    /// instead of waiting raw for one second; what ends up buffered is the same).
    /// </summary>
    public static string NodeHocon(string mediaPath, int maxFrames) => $$"""
        registrator.media.output-path = "{{mediaPath}}"
        registrator.task.max-frames = {{maxFrames}}
        registrator.task.reorder-window = 0s
        """;

    /// <summary>
    /// Sends <paramref name="frames"/> to task <paramref name="key"/> as AddFrame, capture times 1/fps apart from now,
    /// frame ids "0", "1", …; each must be Accepted. <paramref name="copyEach"/>: every AddFrame carries its own copy of
    /// the pixels, as frames from a real producer (remoting, NATS) do. A task accepts a frame before its encoder has
    /// encoded it, so the producer keeps at most about 2 × <paramref name="inFlight"/> raw frames of the key at the
    /// encoder (a camera at 10 fps is far slower than its encoder; this bounds the raw memory of a flood).
    /// </summary>
    /// <param name="paceFps">Send at most this many frames a second, as a camera does; 0 = as fast as the task takes them.</param>
    public static async Task BufferAsync(IActorRef region, string key, IReadOnlyList<byte[]> frames, bool copyEach = false, int inFlight = 4, double paceFps = 0)
    {
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < frames.Count; i++)
        {
            if (paceFps > 0 && TimeSpan.FromSeconds(i / paceFps) - clock.Elapsed is { Ticks: > 0 } wait) await Task.Delay(wait);
            var pixels = copyEach ? (byte[])frames[i].Clone() : frames[i];
            var frame = new TaskCommands.AddFrame(key, Width, Height, pixels, i.ToString(CultureInfo.InvariantCulture), start + (double)i / FramesPerSecond);
            var reply = await region.Ask<object>(frame, AskTimeout);
            if (reply is not TaskReplies.Accepted) throw new InvalidOperationException($"[{key}] frame {i} not accepted: {reply}");
            if ((i + 1) % inFlight == 0)
            {
                while ((await SnapshotAsync(region, key)).FramesPending > inFlight) await Task.Delay(2);
            }
        }
    }

    /// <summary>
    /// Waits until every task of <paramref name="keys"/> has nothing at the encoder any more and holds (or has dropped)
    /// <paramref name="frames"/> frames; returns their snapshots.
    /// </summary>
    public static async Task<TaskReplies.TaskSnapshot[]> WaitBufferedAsync(IActorRef region, IReadOnlyList<string> keys, int frames)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var snapshots = await Task.WhenAll(keys.Select(key => SnapshotAsync(region, key)));
            if (snapshots.All(s => s.FramesPending == 0 && s.FrameCount + s.FramesDropped + s.FramesSkipped + s.FramesLate >= frames)) return snapshots;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"tasks not buffered within 5 minutes: {string.Join(", ", snapshots.Select(s => $"{s.TaskKey} {s.FrameCount} (+{s.FramesPending} pending)"))}");
            await Task.Delay(10);
        }
    }

    public static Task<TaskReplies.TaskSnapshot> SnapshotAsync(IActorRef region, string key) =>
        region.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask(key), AskTimeout);

    /// <summary>The frames encoded directly by one <see cref="H264Session"/> (pts 0, 1, …), as the task's encoder session does.</summary>
    public static List<EncodedPacket> EncodeDirect(IReadOnlyList<byte[]> frames)
    {
        using var session = new H264Session(Width, Height, Options);
        var packets = new List<EncodedPacket>(frames.Count);
        for (var i = 0; i < frames.Count; i++) packets.Add(session.Encode(frames[i], i, forceKeyframe: false));
        return packets;
    }

    /// <summary>Frames in the clip's first video stream as ffprobe counts them by decoding.</summary>
    public static int ProbeFrameCount(string path)
    {
        var start = new ProcessStartInfo("ffprobe") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffprobe did not start");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !int.TryParse(output.Trim(), CultureInfo.InvariantCulture, out var count))
            throw new InvalidOperationException($"ffprobe could not count the frames of {path}: {errors.Result}{output}");
        return count;
    }
}
