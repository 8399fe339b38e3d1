namespace Registrator.Media;

/// <summary>Turns FFmpeg's negative return codes into <see cref="MediaException"/>s with FFmpeg's own wording.</summary>
internal static unsafe class FfmpegErrors
{
    /// <summary>Returns <paramref name="code"/> when it is not an error, else throws naming the operation.</summary>
    public static int Check(int code, string operation)
    {
        if (code < 0)
        {
            throw new MediaException($"{operation} failed: {Describe(code)} ({code})");
        }

        return code;
    }

    public static string Describe(int code)
    {
        const int size = 256;
        var buffer = stackalloc byte[size];
        if (FfmpegNative.av_strerror(code, buffer, size) < 0)
        {
            return "unknown FFmpeg error";
        }

        return new string((sbyte*)buffer);
    }
}
