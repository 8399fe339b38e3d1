using Akka.Configuration;

namespace Registrator.Actors.Configuration;

/// <summary>Bounds and timing of task entities, from <c>registrator.task</c> (keys documented in hocon/registrator.conf).</summary>
public sealed record TaskSettings
{
    public int MaxFrames { get; init; } = 300;
    public long MaxBufferBytes { get; init; } = 512L * 1024 * 1024;
    public int MaxFrameDimension { get; init; } = 8192;
    public int MaxStatuses { get; init; } = 10_000;
    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How long a frame with a capture time waits for frames captured before it (<c>reorder-window</c>).</summary>
    public TimeSpan ReorderWindow { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a stopped task's state waits in Redis for its next incarnation (<c>state-ttl</c>).</summary>
    public TimeSpan StateTtl { get; init; } = TimeSpan.FromDays(1);
    /// <summary>How long a starting task waits for its previous incarnation's state before it starts fresh.</summary>
    public TimeSpan StateRestoreTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The clips' frame rate (<c>registrator.media.fps</c>): the grid capture times are mapped onto.</summary>
    public int FramesPerSecond { get; init; } = 10;
    public TriggerSettings Trigger { get; init; } = new();
    /// <summary>Per-key settings (<c>registrator.trigger.overrides</c>), first match wins; see <see cref="ForKey"/>.</summary>
    public IReadOnlyList<TaskOverride> Overrides { get; init; } = [];
    /// <summary>The <c>keys</c> of the override in force, once <see cref="ForKey"/> picked one; <c>null</c>: the node's settings.</summary>
    public string? OverrideKeys { get; init; }

    /// <summary>
    /// The settings one task runs with: the first override whose pattern matches <paramref name="key"/> on top of the
    /// node's trigger and fps, or the node's settings as they are.
    /// </summary>
    public TaskSettings ForKey(string key)
    {
        foreach (var entry in Overrides)
        {
            if (!entry.Matches(key)) continue;
            return this with
            {
                Trigger = entry.Apply(Trigger),
                FramesPerSecond = entry.FramesPerSecond ?? FramesPerSecond,
                OverrideKeys = entry.KeysText,
            };
        }
        return this;
    }

    /// <summary>
    /// Frames the current cycle may hold: <c>max-frames</c>, or under <c>span</c> at least a whole incident (pre-roll plus
    /// max-duration, and two seconds for the GOP that reaches back past the pre-roll), so the bound never cuts an
    /// incident's beginning off its clip. The node's <c>max-buffer-bytes</c> still bounds them all.
    /// </summary>
    public int FramesLimit => Trigger.Span
        ? Math.Max(MaxFrames, (int)Math.Ceiling((Trigger.PreRoll + Trigger.MaxDuration).TotalSeconds * FramesPerSecond) + 2 * FramesPerSecond)
        : MaxFrames;

    public static TaskSettings From(Config task) => new()
    {
        MaxFrames = Positive(task.GetInt("max-frames"), "max-frames"),
        MaxBufferBytes = Positive(task.GetByteSize("max-buffer-bytes") ?? 0, "max-buffer-bytes"),
        MaxFrameDimension = Positive(task.GetInt("max-frame-dimension"), "max-frame-dimension"),
        MaxStatuses = Positive(task.GetInt("max-statuses"), "max-statuses"),
        PassivateAfter = task.GetTimeSpan("passivate-after"),
        RegistrationTimeout = task.GetTimeSpan("registration-timeout"),
        ReorderWindow = NotNegative(task.GetTimeSpan("reorder-window"), "reorder-window"),
        StateTtl = Positive(task.GetTimeSpan("state-ttl"), "state-ttl"),
        StateRestoreTimeout = Positive(task.GetTimeSpan("state-restore-timeout"), "state-restore-timeout"),
    };

    private static TimeSpan Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? value : throw new ConfigurationException($"registrator.task.{key} must be positive, got {value}");

    private static TimeSpan NotNegative(TimeSpan value, string key) =>
        value >= TimeSpan.Zero ? value : throw new ConfigurationException($"registrator.task.{key} must not be negative, got {value}");

    private static T Positive<T>(T value, string key) where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ConfigurationException($"registrator.task.{key} must be positive, got {value}");
}
