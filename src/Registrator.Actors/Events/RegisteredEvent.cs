namespace Registrator.Actors.Events;

/// <summary>
/// Everything recorded about one registration: the Python module's event (task key, inference message, clip and
/// keyframe paths) plus our additions (event id, timestamp, error when the clip failed) and the task's statistics
/// for stores that keep them. Built once by the <see cref="Tasks.TaskActor"/>; stores serialize it once.
/// </summary>
/// <param name="MessageJson">The inference message: a JSON object, stored verbatim.</param>
/// <param name="Timestamp">Unix time in seconds (fractional): the Redis score.</param>
public sealed record RegisteredEvent(
    Guid EventId,
    string TaskKey,
    string MessageJson,
    string? VideoPath,
    string? ImagePath,
    string? Error,
    double Timestamp,
    TaskStatistics Statistics)
{
    /// <summary>A <c>span</c> incident's start and end (capture time, Unix seconds); <c>null</c> for other events.</summary>
    public double? Start { get; init; }

    /// <inheritdoc cref="Start"/>
    public double? End { get; init; }
}

/// <summary>The task's counts at registration, for stores that record them (the documentation's custom registrator).</summary>
public sealed record TaskStatistics(int FrameCount, int StatusCount, bool? MostCommonStatus, int Cycle);
