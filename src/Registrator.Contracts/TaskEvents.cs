namespace Registrator.Contracts;

/// <summary>
/// Outcomes of a registration, sent to the sender of <see cref="TaskCommands.RegisterTask"/> (or the trigger
/// policy's owner) and published to subscribers once the event is recorded.
/// </summary>
public static class TaskEvents
{
    /// <summary>
    /// The event was recorded. <paramref name="VideoPath"/> and <paramref name="ImagePath"/> are <c>null</c>
    /// when saving the clip failed; <paramref name="Error"/> then says why (the task is in ERROR, the inference
    /// message is still recorded). <paramref name="Timestamp"/> is Unix time in seconds, the Redis score.
    /// </summary>
    public sealed record EventRegistered(
        string TaskKey,
        Guid EventId,
        string? VideoPath,
        string? ImagePath,
        double Timestamp,
        string? Error = null) : ITaskMessage;

    /// <summary>The registration could not be carried out or recorded; <paramref name="Reason"/> says why.</summary>
    public sealed record RegistrationFailed(string TaskKey, string Reason) : ITaskMessage;
}
