namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// What one orphan sweep of a node did (<see cref="OrphanSweep"/>). Sent by the <see cref="RetentionActor"/> to the
/// sender of <see cref="RunOrphanSweep"/>, published on the node's event stream after every sweep, and logged.
/// </summary>
/// <param name="Skipped">Why the sweep did not look at the folder (events still on their way to Redis); <c>null</c> when it did.</param>
/// <param name="FilesSeen">Event files found in the output folder's <c>&lt;uuid&gt;</c> folders.</param>
/// <param name="FilesDeleted">Orphans deleted.</param>
/// <param name="FoldersDeleted">Emptied <c>&lt;uuid&gt;</c> folders deleted.</param>
/// <param name="Failed">Orphans that could not be deleted (refused, permissions, I/O errors).</param>
public sealed record OrphanSweepResult(string? Skipped, int FilesSeen, int FilesDeleted, int FoldersDeleted, int Failed)
{
    public static OrphanSweepResult SkippedBecause(string reason) => new(reason, 0, 0, 0, 0);
}
