namespace Registrator.Media;

/// <summary>How clips and keyframes are encoded. Defaults match the Python module (10 fps) and x264's usual trade-off.</summary>
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
    /// Encoder threads; 0 lets libx264 choose from the core count, as the ffmpeg CLI does. An encoder
    /// pool running several clips at once may set 1 so the clips share the cores instead of each
    /// spawning a full thread set. Default 0.
    /// </summary>
    public int Threads { get; init; }

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

        if (Threads < 0)
        {
            throw new MediaException($"Threads must be 0 (automatic) or more, was {Threads}");
        }
    }
}
