namespace Registrator.Media;

/// <summary>
/// Checks once per process that the machine's FFmpeg libraries are the release the native binding
/// was written for and that they can encode H.264 with libx264.
/// </summary>
public static class FfmpegRuntime
{
    private static readonly Lock Gate = new();
    private static volatile string? _description;

    /// <summary>
    /// Throws <see cref="MediaException"/> naming what is missing when the FFmpeg libraries cannot be
    /// loaded, have another major version than FFmpeg 5.1, or lack the libx264 encoder. Cached after
    /// the first success; a failure is re-checked on the next call (the libraries may be installed
    /// in between).
    /// </summary>
    public static void EnsureAvailable() => _ = Describe();

    /// <summary>The loaded library versions, e.g. "libavcodec 59.37.100, libavformat 59.27.100, ...".</summary>
    public static string Describe()
    {
        if (_description is { } cached)
        {
            return cached;
        }

        lock (Gate)
        {
            _description ??= Verify();
            return _description;
        }
    }

    private static unsafe string Verify()
    {
        uint avutil, avcodec, avformat, swscale;
        try
        {
            avutil = FfmpegNative.avutil_version();
            avcodec = FfmpegNative.avcodec_version();
            avformat = FfmpegNative.avformat_version();
            swscale = FfmpegNative.swscale_version();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new MediaException(
                $"FFmpeg shared libraries not usable: {ex.Message}. Install Debian's libavcodec59, " +
                "libavformat59, libavutil57 and libswscale6 (FFmpeg 5.1).", ex);
        }

        RequireMajor("libavutil", avutil, FfmpegNative.AvUtilMajor);
        RequireMajor("libavcodec", avcodec, FfmpegNative.AvCodecMajor);
        RequireMajor("libavformat", avformat, FfmpegNative.AvFormatMajor);
        RequireMajor("libswscale", swscale, FfmpegNative.SwScaleMajor);

        if (FfmpegNative.avcodec_find_encoder_by_name("libx264") is null)
        {
            throw new MediaException(
                $"libx264 encoder not found in libavcodec {Format(avcodec)}: install Debian's libavcodec59 with x264 " +
                "(the Debian build links libx264; a build without --enable-libx264 cannot encode the clips).");
        }

        // libx264 logs its banner and statistics at INFO for every clip; an encoder pool would flood
        // stderr. Only FFmpeg's default level is lowered, so a host that chose a level keeps it.
        const int defaultInfoLevel = 32;
        if (FfmpegNative.av_log_get_level() == defaultInfoLevel)
        {
            FfmpegNative.av_log_set_level(FfmpegNative.AV_LOG_ERROR);
        }

        return $"libavcodec {Format(avcodec)}, libavformat {Format(avformat)}, libavutil {Format(avutil)}, libswscale {Format(swscale)}";
    }

    private static void RequireMajor(string library, uint version, int expectedMajor)
    {
        if (version >> 16 != expectedMajor)
        {
            throw new MediaException(
                $"{library} {Format(version)} found, but the native binding (FfmpegNative) was written for major " +
                $"{expectedMajor} (FFmpeg 5.1): install FFmpeg 5.1's {library}{expectedMajor} or port the struct offsets.");
        }
    }

    private static string Format(uint version) => $"{version >> 16}.{(version >> 8) & 0xFF}.{version & 0xFF}";
}
