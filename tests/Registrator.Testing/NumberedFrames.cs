namespace Registrator.Testing;

/// <summary>
/// Synthetic BGR24 camera frames, each visually distinct from every other: the frame number in binary as eight large
/// black or white blocks across the top third (two numbers differ in at least one block, a fifth of a third of the
/// picture), over a slowly drifting smooth background with a box moving through the bottom. Compressed at the
/// product's crf, a frame is far closer to its own source than to any other, so a decoded frame is told by PSNR.
/// </summary>
public static class NumberedFrames
{
    public const int Width = 160;
    public const int Height = 120;

    /// <summary>Frames 0 … <paramref name="count"/> − 1 (at most 256) of <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static IReadOnlyList<byte[]> Make(int count, int width = Width, int height = Height)
    {
        if (count is < 0 or > 256) throw new ArgumentOutOfRangeException(nameof(count), count, "eight bits: 0..256 frames");
        return Enumerable.Range(0, count).Select(n => One(n, width, height)).ToList();
    }

    /// <summary>Frame <paramref name="n"/>.</summary>
    public static byte[] One(int n, int width = Width, int height = Height)
    {
        var pixels = new byte[width * height * 3];
        var bitsBottom = height / 3;
        var blockWidth = width / 8;
        var box = Math.Max(4, height / 5);
        var boxX = (n * 3) % Math.Max(1, width - box);
        var boxY = bitsBottom + 2 + (n * 2 % Math.Max(1, height - bitsBottom - box - 2));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                byte b, g, r;
                if (y < bitsBottom && x < blockWidth * 8)
                {
                    var bit = 7 - (x / blockWidth);
                    var on = ((n >> bit) & 1) == 1;
                    b = g = r = on ? (byte)235 : (byte)16;
                }
                else if (x >= boxX && x < boxX + box && y >= boxY && y < boxY + box)
                {
                    (b, g, r) = (40, 200, 230);
                }
                else
                {
                    b = (byte)(90 + (50 * Math.Sin((x + (3.0 * n)) / 19.0)));
                    g = (byte)(90 + (50 * Math.Cos((y + (2.0 * n)) / 13.0)));
                    r = (byte)(60 + ((x + y) / 4 % 64));
                }
                pixels[i] = b;
                pixels[i + 1] = g;
                pixels[i + 2] = r;
            }
        }
        return pixels;
    }

    /// <summary>
    /// Frames with fresh noise in every pixel (seeded by <paramref name="seed"/> and the frame number), which no encoder
    /// can predict from the previous frame: every packet is large, for tests of byte budgets.
    /// </summary>
    public static byte[] Noisy(int n, int width, int height, int seed)
    {
        var pixels = One(n % 256, width, height);
        var random = new Random(HashCode.Combine(seed, n));
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-40, 41), 0, 255);
        return pixels;
    }
}
