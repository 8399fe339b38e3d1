namespace Registrator.Actors.Configuration;

/// <summary>One entry of <c>registrator.cameras</c>: a video file or stream URL read by the node for a task key.</summary>
/// <param name="Source">A file path or a URL OpenCV's FFmpeg backend opens (rtsp://, http://).</param>
/// <param name="Loop">Files only: start again from the first frame at the end instead of ending the stream.</param>
/// <param name="Reader">How the camera is read (<c>registrator.camera-reader</c>): its task's answers and its restarts.</param>
public sealed record CameraSettings(string Key, string Source, double Fps, bool Loop, CameraReaderSettings Reader)
{
    /// <summary>
    /// <c>cameras</c> of the <c>registrator</c> section; an entry without <c>fps</c> or <c>loop</c> takes
    /// <paramref name="reader"/>'s (<c>registrator.camera-reader.fps</c> and <c>.loop</c>).
    /// </summary>
    public static IReadOnlyList<CameraSettings> ListFrom(SettingsReader registrator, CameraReaderSettings reader) =>
        registrator.Entries("cameras").Select(camera => new CameraSettings(
            camera.NonEmpty("key"),
            camera.NonEmpty("source"),
            camera.Has("fps") ? CameraReaderSettings.FpsOf(camera) : reader.Fps,
            camera.Has("loop") ? camera.Boolean("loop") : reader.Loop,
            reader)).ToArray();
}
