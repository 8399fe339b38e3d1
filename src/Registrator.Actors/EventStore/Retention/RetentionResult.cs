namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// What one retention run of a node did. Sent by the <see cref="RetentionActor"/> to the sender of
/// <see cref="RunRetention"/>, published on the node's event stream after every run, and logged.
/// </summary>
/// <param name="Removed">Expired records removed whose files this node deleted (its own, and those naming no node).</param>
/// <param name="Abandoned">Expired records of gone nodes removed (<c>abandon-after</c>); their files are not here.</param>
/// <param name="Waiting">Expired records left for the other nodes that hold their files.</param>
/// <param name="FilesDeleted">Clips and keyframes deleted.</param>
/// <param name="FoldersDeleted">Emptied <c>&lt;uuid&gt;</c> folders deleted.</param>
/// <param name="Refused">Paths not deleted because they lead outside the output folder (or through a link).</param>
/// <param name="Failed">Paths that could not be deleted (permissions, I/O errors); the orphan sweep tries again.</param>
public sealed record RetentionResult(long Removed, long Abandoned, long Waiting, int FilesDeleted, int FoldersDeleted, int Refused, int Failed)
{
    public static readonly RetentionResult None = new(0, 0, 0, 0, 0, 0, 0);

    public RetentionResult Add(RetentionResult other) => new(
        Removed + other.Removed, Abandoned + other.Abandoned, Waiting + other.Waiting, FilesDeleted + other.FilesDeleted,
        FoldersDeleted + other.FoldersDeleted, Refused + other.Refused, Failed + other.Failed);
}
