namespace Registrator.Demo;

/// <summary>
/// The object the demo's sample clip shows: a 120×120 red square that crosses the picture from 4 s to 11 s of each
/// 20 s loop, drawn by ffmpeg's overlay filter with the same formula the demo's detector uses for its box.
/// </summary>
public static class SampleObject
{
    public const double LoopSeconds = 20;
    public const double Enters = 4;
    public const double Leaves = 11;
    public const int Size = 120;
    public const int Top = 300;

    /// <summary>The overlay filter that draws the object over <c>[0:v]</c> with <c>[1:v]</c> (a red 120×120 colour source).</summary>
    public const string Filter = "[0:v][1:v]overlay=x='40+(t-4)*60':y=300:enable='between(t,4,11)':shortest=1";

    /// <summary>Whether the object is in view <paramref name="clipSeconds"/> into the loop.</summary>
    public static bool InView(double clipSeconds) => clipSeconds % LoopSeconds is >= Enters and < Leaves;

    /// <summary>Its box [x1, y1, x2, y2] in the frame's pixels at that moment (as the overlay filter places it).</summary>
    public static (int X1, int Y1, int X2, int Y2) Box(double clipSeconds)
    {
        var x = (int)Math.Round(40 + ((clipSeconds % LoopSeconds) - Enters) * 60);
        return (x, Top, x + Size, Top + Size);
    }
}
