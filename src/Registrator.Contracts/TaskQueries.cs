namespace Registrator.Contracts;

/// <summary>Read-only questions to one task entity; valid in every state and never change it.</summary>
public static class TaskQueries
{
    /// <summary>Asks for the task's <see cref="TaskReplies.TaskSnapshot"/>.</summary>
    public sealed record GetTask(string TaskKey) : ITaskMessage;

    /// <summary>
    /// Asks for the most frequent status (Python <c>most_common</c>, i.e. <c>Counter.most_common(1)</c>):
    /// on a tie the value seen first wins; with no statuses there is no value. Answered with <see cref="TaskReplies.MostCommon"/>.
    /// </summary>
    public sealed record GetMostCommon(string TaskKey) : ITaskMessage;
}
