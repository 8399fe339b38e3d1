namespace Registrator.Media;

/// <summary>The size checks every entry point applies before touching native code.</summary>
internal static class FrameSize
{
    // x264 and the MP4 muxer cap dimensions well below this; the bound keeps width*height*3 far from overflow.
    private const int MaxDimension = 16384;

    public static void Validate(int width, int height)
    {
        if (width is < 1 or > MaxDimension || height is < 1 or > MaxDimension)
        {
            throw new MediaException($"frame size must be 1..{MaxDimension} in each dimension, was {width}x{height}");
        }
    }

    public static int ByteCount(int width, int height) => width * height * 3;

    /// <summary>Throws naming the expected and actual byte counts (and the frame's index when known).</summary>
    public static void RequireLength(BgrFrame frame, int width, int height, int? index)
    {
        var expected = ByteCount(width, height);
        var actual = frame.Pixels?.Length;
        if (actual != expected)
        {
            var which = index is { } i ? $"frame {i}" : "frame";
            throw new MediaException(
                $"{which} has {actual?.ToString() ?? "no"} bytes, expected {expected} ({width}x{height}x3 BGR24)");
        }
    }
}
