
namespace Registrator.Actors.Configuration;

/// <summary>
/// How a node reads its cameras, from <c>registrator.camera-reader</c> (keys documented in hocon/registrator.conf):
/// the entries' defaults, how long a frame waits for its task, and the back-off of a stream that failed or ended.
/// </summary>
public sealed record CameraReaderSettings
{
    public const string ConfigPath = "registrator.camera-reader";

    /// <summary>Frames per second of a camera entry that sets no <c>fps</c>.</summary>
    public required double Fps { get; init; }
    /// <summary><c>loop</c> of a camera entry that sets none.</summary>
    public required bool Loop { get; init; }
    /// <summary>How long a frame waits for its task to answer before it counts as not buffered.</summary>
    public required TimeSpan AskTimeout { get; init; }
    /// <summary>Back-off of a reopened stream: <see cref="MinBackoff"/> doubling up to <see cref="MaxBackoff"/>, stretched by up to <see cref="RandomFactor"/>.</summary>
    public required TimeSpan MinBackoff { get; init; }
    public required TimeSpan MaxBackoff { get; init; }
    public required double RandomFactor { get; init; }
    /// <summary>Least time between two warnings about frames a camera's task did not buffer.</summary>
    public required TimeSpan RejectionLogInterval { get; init; }

    public static CameraReaderSettings From(SettingsReader reader)
    {
        var minBackoff = reader.PositiveDuration("min-backoff");
        var maxBackoff = reader.Duration("max-backoff");
        if (maxBackoff < minBackoff) throw reader.Invalid("max-backoff", "must not be below min-backoff");
        var randomFactor = reader.Double("random-factor");
        return new CameraReaderSettings
        {
            Fps = FpsOf(reader),
            Loop = reader.Boolean("loop"),
            AskTimeout = reader.PositiveDuration("ask-timeout"),
            MinBackoff = minBackoff,
            MaxBackoff = maxBackoff,
            RandomFactor = randomFactor is >= 0 and <= 1 ? randomFactor : throw reader.Invalid("random-factor", "must be in [0, 1]"),
            RejectionLogInterval = reader.NonNegativeDuration("rejection-log-interval"),
        };
    }

    /// <summary><c>fps</c> of <paramref name="section"/> (this section or a camera entry): in (0, 240].</summary>
    internal static double FpsOf(SettingsReader section) =>
        section.Double("fps") is var fps and > 0 and <= 240 ? fps : throw section.Invalid("fps", "must be in (0, 240]");
}
