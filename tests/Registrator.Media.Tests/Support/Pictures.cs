namespace Registrator.Media.Tests.Support;

/// <summary>Synthetic BGR24 frames (row-major, width × height × 3 bytes) and the pixel statistics the tests compare.</summary>
public static class Pictures
{
    public static byte[] Solid(int width, int height, byte blue, byte green, byte red)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = blue;
            pixels[i + 1] = green;
            pixels[i + 2] = red;
        }

        return pixels;
    }

    /// <summary>Frames whose content changes over time (a moving diagonal gradient), so every frame is really encoded.</summary>
    public static IReadOnlyList<byte[]> Moving(int width, int height, int count) =>
        Enumerable.Range(0, count).Select(t =>
        {
            var pixels = new byte[width * height * 3];
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var i = ((y * width) + x) * 3;
                    pixels[i] = (byte)(x + t);
                    pixels[i + 1] = (byte)(y + (2 * t));
                    pixels[i + 2] = (byte)(x + y + (3 * t));
                }
            }

            return pixels;
        }).ToList();

    /// <summary>The top-left <paramref name="width"/> × <paramref name="height"/> of a frame <paramref name="stride"/> pixels wide.</summary>
    public static byte[] Crop(byte[] frame, int stride, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            Array.Copy(frame, y * stride * 3, pixels, y * width * 3, width * 3);
        }

        return pixels;
    }

    /// <summary>Mean colour (blue, green, red) of a rectangle of a BGR24 frame.</summary>
    public static (double Blue, double Green, double Red) MeanColour(byte[] frame, int width, int left, int top, int right, int bottom)
    {
        double blue = 0, green = 0, red = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                var i = ((y * width) + x) * 3;
                blue += frame[i];
                green += frame[i + 1];
                red += frame[i + 2];
            }
        }

        double count = (right - left) * (bottom - top);
        return (blue / count, green / count, red / count);
    }

    /// <summary>PSNR in dB of one colour channel (0 blue, 1 green, 2 red) or of all (null) between two equal-sized frames.</summary>
    public static double Psnr(byte[] expected, byte[] actual, int? channel = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        double squares = 0;
        long samples = 0;
        for (var i = channel ?? 0; i < expected.Length; i += channel is null ? 1 : 3)
        {
            double difference = expected[i] - actual[i];
            squares += difference * difference;
            samples++;
        }

        var meanSquare = squares / samples;
        return meanSquare == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / meanSquare);
    }

    /// <summary>Mean PSNR over frame pairs; identical frames count as 100 dB so one perfect frame cannot make the mean infinite.</summary>
    public static double MeanPsnr(IReadOnlyList<byte[]> expected, IReadOnlyList<byte[]> actual, int? channel = null)
    {
        Assert.Equal(expected.Count, actual.Count);
        return expected.Zip(actual, (e, a) => Math.Min(100, Psnr(e, a, channel))).Average();
    }

    /// <summary>The lowest per-frame PSNR over frame pairs (capped at 100 dB like <see cref="MeanPsnr"/>).</summary>
    public static double MinPsnr(IReadOnlyList<byte[]> expected, IReadOnlyList<byte[]> actual, int? channel = null)
    {
        Assert.Equal(expected.Count, actual.Count);
        return expected.Zip(actual, (e, a) => Math.Min(100, Psnr(e, a, channel))).Min();
    }
}
