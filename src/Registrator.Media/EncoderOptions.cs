namespace Registrator.Media;

/// <summary>
/// How the live H.264 sessions encode and how keyframes are written. Defaults match the Python module
/// (10 fps) and x264's usual trade-off. A session always runs exactly one x264 thread: the encoder
/// pool gets its parallelism from many sessions (one per camera), not from threads inside one.
/// </summary>
public sealed record EncoderOptions
{
    /// <summary>Frames per second of the clip; also its time base (1/fps). Default 10.</summary>
    public int FramesPerSecond { get; init; } = 10;

    /// <summary>x264 preset (ultrafast … placebo): speed against size at the same quality. Default "veryfast".</summary>
    public string Preset { get; init; } = "veryfast";

    /// <summary>x264 constant rate factor, 0 (lossless) … 51; lower is better quality. Default 23.</summary>
    public int Crf { get; init; } = 23;

    /// <summary>JPEG quality of the keyframe, 0 … 100. Default 90.</summary>
    public int JpegQuality { get; init; } = 90;

    /// <summary>
    /// GOP length in frames: a session makes an IDR keyframe every this many frames (and whenever one is
    /// forced), which bounds both how much a task drops when it discards its oldest GOP and how far
    /// back a keyframe JPEG must be decoded from. 0 (the default) means <see cref="FramesPerSecond"/>,
    /// i.e. one second; 1 … 10000 otherwise.
    /// </summary>
    public int Keyint { get; init; }

    /// <summary>The GOP length actually used: <see cref="Keyint"/>, or <see cref="FramesPerSecond"/> when that is 0.</summary>
    public int EffectiveKeyint => Keyint == 0 ? FramesPerSecond : Keyint;

    /// <summary>Throws <see cref="MediaException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        if (FramesPerSecond is < 1 or > 1000)
        {
            throw new MediaException($"FramesPerSecond must be 1..1000, was {FramesPerSecond}");
        }

        if (string.IsNullOrWhiteSpace(Preset))
        {
            throw new MediaException("Preset must name an x264 preset, was empty");
        }

        if (Crf is < 0 or > 51)
        {
            throw new MediaException($"Crf must be 0..51, was {Crf}");
        }

        if (JpegQuality is < 0 or > 100)
        {
            throw new MediaException($"JpegQuality must be 0..100, was {JpegQuality}");
        }

        if (Keyint is < 0 or > 10000)
        {
            throw new MediaException($"Keyint must be 0 (one second) or 1..10000 frames, was {Keyint}");
        }
    }
}
