using System.Runtime.InteropServices;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using OpenCvSharp;
using Registrator.Contracts;

namespace Registrator.Actors.Cameras;

/// <summary>
/// A camera as an Akka.Streams source of <see cref="TaskCommands.AddFrame"/>: OpenCV's VideoCapture read on the
/// streams' blocking-IO dispatcher, throttled to the camera's frame rate, reopened with back-off when the
/// stream ends or fails (a dropped RTSP connection, a file that is being replaced).
/// </summary>
public static class CameraFrames
{
    public static Source<TaskCommands.AddFrame, NotUsed> Source(CameraSettings camera, RestartSettings restart)
    {
        var frameId = 0L;
        var reader = Akka.Streams.Dsl.Source.UnfoldResource<TaskCommands.AddFrame, VideoCapture>(
            () => Open(camera),
            capture => Read(capture, camera, ref frameId),
            capture => capture.Dispose());
        // One frame per period and no burst: a camera that fell behind does not catch up in a rush.
        return RestartSource.WithBackoff(() => reader, restart)
            .Throttle(1, TimeSpan.FromSeconds(1 / camera.Fps), 1, ThrottleMode.Shaping);
    }

    private static VideoCapture Open(CameraSettings camera)
    {
        var capture = new VideoCapture(camera.Source);
        if (capture.IsOpened()) return capture;
        capture.Dispose();
        throw new IOException($"camera {camera.Key}: cannot open '{camera.Source}'");
    }

    private static Option<TaskCommands.AddFrame> Read(VideoCapture capture, CameraSettings camera, ref long frameId)
    {
        using var mat = new Mat();
        if (!capture.Read(mat) || mat.Empty())
        {
            if (!camera.Loop || !capture.Set(VideoCaptureProperties.PosFrames, 0) || !capture.Read(mat) || mat.Empty())
                return Option<TaskCommands.AddFrame>.None;
        }
        return new TaskCommands.AddFrame(camera.Key, mat.Width, mat.Height, ToBgr24(mat), (++frameId).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

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
