namespace Registrator.Actors.Events;

/// <summary>
/// What one retention run removed. Sent by the <see cref="EventStoreActor"/> to the sender of <see cref="RunRetention"/>
/// (and logged after every timed run).
/// </summary>
/// <param name="Removed">Members removed from the sorted set.</param>
/// <param name="FilesDeleted">Clips and keyframes deleted.</param>
/// <param name="FoldersDeleted">Emptied <c>&lt;uuid&gt;</c> folders deleted.</param>
/// <param name="Refused">Paths not deleted because they lead outside the output folder (or through a link).</param>
/// <param name="Failed">Paths that could not be deleted (permissions, I/O errors).</param>
public sealed record RetentionResult(long Removed, int FilesDeleted, int FoldersDeleted, int Refused, int Failed)
{
    public static readonly RetentionResult None = new(0, 0, 0, 0, 0);

    public RetentionResult Add(RetentionResult other) => new(
        Removed + other.Removed, FilesDeleted + other.FilesDeleted, FoldersDeleted + other.FoldersDeleted,
        Refused + other.Refused, Failed + other.Failed);
}
