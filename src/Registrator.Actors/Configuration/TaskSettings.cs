namespace Registrator.Actors.Configuration;

/// <summary>Bounds and timing of task entities, from <c>registrator.task</c> (keys documented in hocon/registrator.conf).</summary>
public sealed record TaskSettings
{
    public required int MaxFrames { get; init; }
    public required long MaxBufferBytes { get; init; }
    public required int MaxFrameDimension { get; init; }
    public required int MaxStatuses { get; init; }
    public required TimeSpan PassivateAfter { get; init; }
    public required TimeSpan RegistrationTimeout { get; init; }
    /// <summary>How long a frame with a capture time waits for frames captured before it (<c>reorder-window</c>).</summary>
    public required TimeSpan ReorderWindow { get; init; }
    /// <summary>How long a stopped task's state waits in Redis for its next incarnation (<c>state-ttl</c>).</summary>
    public required TimeSpan StateTtl { get; init; }
    /// <summary>How long a starting task waits for its previous incarnation's state before it starts fresh.</summary>
    public required TimeSpan StateRestoreTimeout { get; init; }
    /// <summary>The clips' frame rate (<c>registrator.media.fps</c>): the grid capture times are mapped onto.</summary>
    public required int FramesPerSecond { get; init; }
    public required TriggerSettings Trigger { get; init; }
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

    /// <summary>
    /// <c>registrator.task</c> with the node's <c>registrator.trigger</c> (and its overrides) and <c>registrator.media.fps</c>,
    /// from the <c>registrator</c> section.
    /// </summary>
    public static TaskSettings From(SettingsReader registrator)
    {
        var task = registrator.Section("task");
        var trigger = TriggerSettings.From(registrator.Section("trigger"));
        return new TaskSettings
        {
            MaxFrames = task.PositiveInt("max-frames"),
            MaxBufferBytes = task.Positive("max-buffer-bytes", task.Size("max-buffer-bytes")),
            MaxFrameDimension = task.PositiveInt("max-frame-dimension"),
            MaxStatuses = task.PositiveInt("max-statuses"),
            PassivateAfter = task.PositiveDuration("passivate-after"),
            RegistrationTimeout = task.PositiveDuration("registration-timeout"),
            ReorderWindow = task.NonNegativeDuration("reorder-window"),
            StateTtl = task.PositiveDuration("state-ttl"),
            StateRestoreTimeout = task.PositiveDuration("state-restore-timeout"),
            FramesPerSecond = registrator.Section("media").PositiveInt("fps"),
            Trigger = trigger,
            Overrides = TaskOverride.ListFrom(registrator.Section("trigger"), trigger),
        };
    }
}
