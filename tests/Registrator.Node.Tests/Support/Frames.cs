using static Registrator.Contracts.TaskCommands;

namespace Registrator.Node.Tests.Support;

/// <summary>Synthetic camera frames: a gradient background with a bright square that moves, so clips visibly play.</summary>
public static class Frames
{
    public const int Width = 320;
    public const int Height = 240;

    /// <summary>Frame <paramref name="index"/> of a moving scene, raw BGR24, with frame id <c>frame_NNN</c>.</summary>
    public static AddFrame Moving(string key, int index)
    {
        var pixels = new byte[Width * Height * 3];
        var boxX = index * 6 % (Width - 60);
        var boxY = 60 + (int)(40 * Math.Sin(index / 5.0));
        for (var y = 0; y < Height; y++)
        for (var x = 0; x < Width; x++)
        {
            var p = (y * Width + x) * 3;
            var inBox = x >= boxX && x < boxX + 60 && y >= boxY && y < boxY + 60;
            pixels[p] = inBox ? (byte)40 : (byte)(x * 255 / Width);
            pixels[p + 1] = inBox ? (byte)220 : (byte)(y * 255 / Height);
            pixels[p + 2] = inBox ? (byte)250 : (byte)((x + y + index * 4) % 256);
        }
        return new AddFrame(key, Width, Height, pixels, $"frame_{index:000}");
    }
}
