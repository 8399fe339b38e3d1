using Akka.Configuration;
using Registrator.Media;

namespace Registrator.Actors.Configuration;

/// <summary>Where and how clips are written, from <c>registrator.media</c> (keys documented in hocon/registrator.conf).</summary>
public sealed record MediaSettings
{
    /// <summary>The Python module's TMP_PATH: clips go to <c>OutputPath/&lt;uuid&gt;/&lt;uuid&gt;.mp4|.jpg</c>.</summary>
    public string OutputPath { get; init; } = "/tmp";
    public EncoderOptions Encoder { get; init; } = new();
    /// <summary>Encoder actors per node; each owns a thread of <see cref="DispatcherId"/> and the x264 sessions of its keys.</summary>
    public int PoolSize { get; init; } = Environment.ProcessorCount;
    public const string DispatcherId = "registrator.media.encoder-dispatcher";

    public static MediaSettings From(Config media)
    {
        var poolSize = media.GetInt("pool-size");
        if (poolSize < 0) throw new ConfigurationException($"registrator.media.pool-size must be 0 (one per core) or more, got {poolSize}");
        var outputPath = media.GetString("output-path");
        if (string.IsNullOrWhiteSpace(outputPath)) throw new ConfigurationException("registrator.media.output-path (TMP_PATH) must not be empty");
        return new MediaSettings
        {
            OutputPath = Path.GetFullPath(outputPath),
            PoolSize = poolSize == 0 ? Environment.ProcessorCount : poolSize,
            Encoder = new EncoderOptions
            {
                FramesPerSecond = media.GetInt("fps"),
                Preset = media.GetString("preset"),
                Crf = media.GetInt("crf"),
                JpegQuality = media.GetInt("jpeg-quality"),
                Keyint = media.GetInt("keyint"),
            },
        };
    }
}
