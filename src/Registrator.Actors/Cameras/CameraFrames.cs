using System.Runtime.InteropServices;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using OpenCvSharp;
using Registrator.Actors.Configuration;
using Registrator.Contracts;

namespace Registrator.Actors.Cameras;

/// <summary>
/// A camera as an Akka.Streams source of <see cref="TaskCommands.AddFrame"/>: OpenCV's VideoCapture read on the
/// streams' blocking-IO dispatcher, throttled to the camera's frame rate, reopened with back-off when the
/// stream ends or fails (a dropped RTSP connection, a file that is being replaced).
/// </summary>
/// <remarks>
/// Each frame carries a capture time (<see cref="TaskCommands.AddFrame.CaptureTime"/>, Unix seconds). A file follows its
/// own timeline: the time it was opened plus the frame's position in it (<c>PosMsec</c>), and when it loops, plus the
/// length played so far, so time keeps increasing; a reopened file starts no earlier than just after the last frame sent.
/// A live stream (a URL such as <c>rtsp://</c> or <c>http://</c>), or a file whose position is not usable (zero or less
/// after its first frame), is stamped with the wall-clock time of each read.
/// </remarks>
public static class CameraFrames
{
    public static Source<TaskCommands.AddFrame, NotUsed> Source(CameraSettings camera, RestartSettings restart)
    {
        var progress = new Progress();
        var reader = Akka.Streams.Dsl.Source.UnfoldResource<TaskCommands.AddFrame, Reader>(
            () => Open(camera, progress),
            source => Read(source, camera, progress),
            source => source.Capture.Dispose());
        // One frame per period and no burst: a camera that fell behind does not catch up in a rush.
        return RestartSource.WithBackoff(() => reader, restart)
            .Throttle(1, TimeSpan.FromSeconds(1 / camera.Fps), 1, ThrottleMode.Shaping);
    }

    /// <summary>What outlives one open of the camera (the source restarts): frame ids and the last capture time sent.</summary>
    private sealed class Progress
    {
        public long FrameId;
        public double? LastCaptureTime;
    }

    /// <summary>One open of the camera and where its timeline stands.</summary>
    private sealed class Reader(VideoCapture capture, bool live, double origin, double frameDuration)
    {
        public VideoCapture Capture { get; } = capture;
        /// <summary>Wall-clock stamps: a live stream, or a file whose position turned out not to be usable.</summary>
        public bool Live { get; set; } = live;
        /// <summary>Files: the Unix time position 0 stands for; moves on by the length played at each loop.</summary>
        public double Origin { get; set; } = origin;
        /// <summary>Files: the position of the last frame read, in seconds (<c>null</c> before the first frame of a pass).</summary>
        public double? LastPosition { get; set; }
        /// <summary>The length of one frame in seconds: the file's frame rate, or the camera's when the file has none.</summary>
        public double FrameDuration { get; } = frameDuration;
    }

    private static Reader Open(CameraSettings camera, Progress progress)
    {
        var capture = new VideoCapture(camera.Source);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new IOException($"camera {camera.Key}: cannot open '{camera.Source}'");
        }
        var fps = capture.Get(VideoCaptureProperties.Fps);
        var frameDuration = double.IsFinite(fps) && fps > 0 ? 1 / fps : 1 / camera.Fps;
        // A reopened file goes on after the last frame it sent, even when it was read ahead of the wall clock.
        var origin = Math.Max(UnixNow(), progress.LastCaptureTime is { } last ? last + frameDuration : double.MinValue);
        return new Reader(capture, IsLive(camera.Source), origin, frameDuration);
    }

    private static Option<TaskCommands.AddFrame> Read(Reader reader, CameraSettings camera, Progress progress)
    {
        var capture = reader.Capture;
        using var mat = new Mat();
        if (!capture.Read(mat) || mat.Empty())
        {
            if (!camera.Loop || !capture.Set(VideoCaptureProperties.PosFrames, 0) || !capture.Read(mat) || mat.Empty())
                return Option<TaskCommands.AddFrame>.None;
            // Starting over: the next pass begins after everything played so far.
            if (reader.LastPosition is { } played) reader.Origin += played + reader.FrameDuration;
            reader.LastPosition = null;
        }
        var captureTime = CaptureTime(reader);
        progress.LastCaptureTime = captureTime;
        var frameId = (++progress.FrameId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new TaskCommands.AddFrame(camera.Key, mat.Width, mat.Height, ToBgr24(mat), frameId, captureTime);
    }

    /// <summary>The capture time of the frame just read: on the file's timeline while its position is usable, else the wall clock.</summary>
    private static double CaptureTime(Reader reader)
    {
        if (reader.Live) return UnixNow();
        var position = reader.Capture.Get(VideoCaptureProperties.PosMsec) / 1000;
        // The first frame of a pass may sit at 0; later ones must be past it. A backend that reports no position
        // (0 or less, NaN) makes this a live source from here on.
        var usable = double.IsFinite(position) && (position > 0 || (position == 0 && reader.LastPosition is null));
        if (!usable)
        {
            reader.Live = true;
            return UnixNow();
        }
        reader.LastPosition = position;
        return reader.Origin + position;
    }

    /// <summary>A URL of a stream (rtsp://, http://, ...) rather than a file path or a file:// URL.</summary>
    private static bool IsLive(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile && source.Contains("://", StringComparison.Ordinal);

    private static double UnixNow() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

    /// <summary>The frame as tightly packed BGR24 (OpenCV decodes to BGR already; other layouts are converted).</summary>
    private static byte[] ToBgr24(Mat mat)
    {
        using var bgr = mat.Type() == MatType.CV_8UC3 ? null : ConvertToBgr(mat);
        var source = bgr ?? mat;
        using var packed = source.IsContinuous() ? null : source.Clone();
        var pixels = packed ?? source;
        var bytes = new byte[checked(pixels.Width * pixels.Height * 3)];
        Marshal.Copy(pixels.Data, bytes, 0, bytes.Length);
        return bytes;
    }

    private static Mat ConvertToBgr(Mat mat)
    {
        var bgr = new Mat();
        Cv2.CvtColor(mat, bgr, mat.Channels() == 1 ? ColorConversionCodes.GRAY2BGR : ColorConversionCodes.BGRA2BGR);
        return bgr;
    }
}
