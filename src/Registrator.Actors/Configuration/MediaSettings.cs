using Akka.Configuration;
using Registrator.Media;

namespace Registrator.Actors.Configuration;

/// <summary>Where and how clips are written, from <c>registrator.media</c> (keys documented in hocon/registrator.conf).</summary>
public sealed record MediaSettings
{
    public const string ConfigPath = "registrator.media";

    /// <summary>The Python module's TMP_PATH: clips go to <c>OutputPath/&lt;uuid&gt;/&lt;uuid&gt;.mp4|.jpg</c>.</summary>
    public required string OutputPath { get; init; }
    public required EncoderOptions Encoder { get; init; }
    /// <summary>Encoder actors per node; each owns a thread of <see cref="DispatcherId"/> and the x264 sessions of its keys.</summary>
    public required int PoolSize { get; init; }
    public const string DispatcherId = "registrator.media.encoder-dispatcher";

    public static MediaSettings From(Config media)
    {
        var read = SettingsReader.ForSection(media, ConfigPath);
        var poolSize = read.NonNegative("pool-size", read.Int("pool-size"));
        return new MediaSettings
        {
            OutputPath = OutputPathOf(read),
            PoolSize = poolSize == 0 ? Environment.ProcessorCount : poolSize,
            Encoder = new EncoderOptions
            {
                FramesPerSecond = read.Int("fps"),
                Preset = read.String("preset"),
                Crf = read.Int("crf"),
                JpegQuality = read.Int("jpeg-quality"),
                Keyint = read.Int("keyint"),
            },
        };
    }

    /// <summary><c>registrator.media.output-path</c> (TMP_PATH) of a whole configuration, fully resolved.</summary>
    public static string OutputPathOf(Config config) => OutputPathOf(SettingsReader.Of(config, ConfigPath));

    private static string OutputPathOf(SettingsReader media) => Path.GetFullPath(media.NonEmpty("output-path"));
}
