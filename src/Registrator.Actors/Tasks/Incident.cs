namespace Registrator.Actors.Tasks;

/// <summary>Where an incident's keyframe is: not asked for yet (no frame held), being written, written, or failed.</summary>
public enum KeyframeStage : byte
{
    Wanted,
    Writing,
    Written,
    Failed,
}

/// <summary>
/// One incident of the <c>span</c> policy, open or closed: its event id (the announcement's and the final event's),
/// its capture-time bounds, and its keyframe. Times are capture times, Unix seconds.
/// </summary>
/// <param name="Start">The opening detection's capture time (the first detection of the window that opened it, or the split point).</param>
/// <param name="LastDetection">The newest detection seen while open.</param>
public sealed record Incident(Guid EventId, double Start, double LastDetection)
{
    public KeyframeStage Keyframe { get; init; } = KeyframeStage.Wanted;
    /// <summary>The pts of the frame written as the keyframe: the final clip keeps it as its keyframe too.</summary>
    public long? KeyframePts { get; init; }
    public string? ImagePath { get; init; }
    /// <summary><see cref="Events.IncidentStarted"/> was published: never twice, and always before the final event.</summary>
    public bool Announced { get; init; }
    /// <summary>The close, once closed: last detection + post-roll, or start + max-duration.</summary>
    public double? End { get; init; }
    /// <summary>0 for an incident the window rule opened; n for its n-th continuation after max-duration.</summary>
    public int Part { get; init; }
}
