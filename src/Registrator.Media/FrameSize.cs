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

    /// <summary>
    /// yuv420p stores one chroma sample per 2×2 pixels, so H.264 here is always even-sized: an odd
    /// dimension is rounded up (the encoder pads by repeating the last column or row).
    /// </summary>
    public static int Even(int dimension) => (dimension + 1) & ~1;

    /// <summary>Throws naming the expected and actual byte counts (and what the pixels are, e.g. "frame").</summary>
    public static void RequireLength(byte[]? pixels, int width, int height, string what)
    {
        var expected = ByteCount(width, height);
        var actual = pixels?.Length;
        if (actual != expected)
        {
            throw new MediaException(
                $"{what} has {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} bytes, " +
                $"expected {expected} ({width}x{height}x3 BGR24)");
        }
    }
}
