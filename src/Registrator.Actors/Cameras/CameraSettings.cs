using Akka.Configuration;

namespace Registrator.Actors.Cameras;

/// <summary>One entry of <c>registrator.cameras</c>: a video file or stream URL read by the node for a task key.</summary>
/// <param name="Source">A file path or a URL OpenCV's FFmpeg backend opens (rtsp://, http://).</param>
/// <param name="Loop">Files only: start again from the first frame at the end instead of ending the stream.</param>
public sealed record CameraSettings(string Key, string Source, double Fps, bool Loop)
{
    public static IReadOnlyList<CameraSettings> ListFrom(Akka.Configuration.Config registrator)
    {
        if (!registrator.HasPath("cameras")) return [];
        return registrator.GetValue("cameras").GetArray().Select((value, index) =>
        {
            var camera = new Akka.Configuration.Config(new Akka.Configuration.Hocon.HoconRoot(value));
            var key = camera.GetString("key");
            var source = camera.GetString("source");
            if (string.IsNullOrWhiteSpace(key) || string.IsNullOrWhiteSpace(source))
                throw new ConfigurationException($"registrator.cameras[{index}] needs both key and source");
            var fps = camera.GetDouble("fps", 10);
            if (fps is <= 0 or > 240) throw new ConfigurationException($"registrator.cameras[{index}].fps must be in (0, 240], got {fps}");
            return new CameraSettings(key, source, fps, camera.GetBoolean("loop", true));
        }).ToArray();
    }
}
