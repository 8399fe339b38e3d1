using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Registrator.Testing;

/// <summary>The real ffmpeg and ffprobe binaries as independent producers of test input and readers of our output.</summary>
public static class FfmpegCli
{
    /// <summary>Frames of FFmpeg's testsrc2 pattern (moving shapes, gradients, text) as BGR24.</summary>
    public static IReadOnlyList<byte[]> TestSource(int width, int height, int count)
    {
        var raw = ExternalProcess.Run(
            "ffmpeg", "-v", "error", "-f", "lavfi", "-i", Invariant($"testsrc2=size={width}x{height}:rate=10"),
            "-frames:v", Invariant($"{count}"), "-f", "rawvideo", "-pix_fmt", "bgr24", "-");
        return Split(raw, width, height);
    }

    /// <summary>Every frame of a clip decoded back to BGR24 at the clip's own size.</summary>
    public static IReadOnlyList<byte[]> Decode(string path, int width, int height)
    {
        // passthrough: one output frame per stored frame, whatever the time stamps (no duplicates for pauses).
        var raw = ExternalProcess.Run(
            "ffmpeg", "-v", "error", "-i", path, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "bgr24", "-");
        return Split(raw, width, height);
    }

    /// <summary>ffprobe's view of the first video stream, frames counted by decoding.</summary>
    public static ProbedStream Probe(string path)
    {
        var json = ExternalProcess.Run(
            "ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
            "stream=codec_name,pix_fmt,r_frame_rate,avg_frame_rate,nb_read_frames,width,height,duration", "-of", "json", path);
        using var document = JsonDocument.Parse(json);
        var stream = document.RootElement.GetProperty("streams")[0];
        return new ProbedStream(
            stream.GetProperty("codec_name").GetString(),
            stream.GetProperty("pix_fmt").GetString(),
            stream.GetProperty("width").GetInt32(),
            stream.GetProperty("height").GetInt32(),
            stream.GetProperty("r_frame_rate").GetString(),
            stream.GetProperty("avg_frame_rate").GetString(),
            int.Parse(stream.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture),
            double.Parse(stream.GetProperty("duration").GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary>Each decoded frame's presentation time in seconds and whether it is a keyframe, in order.</summary>
    public static IReadOnlyList<(double PtsTime, bool Key)> Frames(string path)
    {
        var json = ExternalProcess.Run(
            "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time,key_frame", "-of", "json", path);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("frames").EnumerateArray()
            .Select(frame => (
                double.Parse(frame.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture),
                frame.GetProperty("key_frame").GetInt32() == 1))
            .ToList();
    }

    private static IReadOnlyList<byte[]> Split(byte[] raw, int width, int height)
    {
        var size = width * height * 3;
        Assert.True(raw.Length % size == 0, $"{raw.Length} bytes is not a whole number of {width}x{height} frames");
        return Enumerable.Range(0, raw.Length / size).Select(i => raw.AsSpan(i * size, size).ToArray()).ToList();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The fields of ffprobe's stream entry the tests assert on.</summary>
public sealed record ProbedStream(
    string? CodecName,
    string? PixelFormat,
    int Width,
    int Height,
    string? FrameRate,
    string? AverageFrameRate,
    int FramesRead,
    double Duration);
