namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// Decides which files retention may delete. Paths come from Redis members, which anyone with access to Redis can
/// write, so a path is deleted only when it is absolute, resolves (<c>..</c> and all) strictly inside the output
/// folder, and no part of it below that folder is a symbolic link. Everything else is refused and counted.
/// </summary>
public sealed class OutputPathGuard
{
    private readonly string _root;

    public OutputPathGuard(string outputPath) =>
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputPath));

    /// <summary>The output folder, fully resolved.</summary>
    public string Root => _root;

    /// <summary>What happened to one path.</summary>
    public enum Outcome { Deleted, Missing, Refused }

    /// <summary>
    /// Deletes the file at <paramref name="path"/> if it is allowed, then its folder if that is now empty and is not the
    /// output folder itself (the clip's <c>&lt;uuid&gt;</c> folder).
    /// </summary>
    public Outcome TryDeleteFile(string path, out bool folderDeleted)
    {
        folderDeleted = false;
        if (Resolve(path) is not { } full || HasLinkBelowRoot(full)) return Outcome.Refused;
        if (!File.Exists(full)) return Outcome.Missing;
        File.Delete(full);
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && IsStrictlyInside(folder) && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            try
            {
                Directory.Delete(folder, recursive: false);
                folderDeleted = true;
            }
            catch (IOException)
            {
                // Another file appeared meanwhile (the other proof being written or deleted): leave the folder.
            }
        }
        return Outcome.Deleted;
    }

    /// <summary>The full path if it is absolute and strictly inside the output folder; otherwise <c>null</c>.</summary>
    public string? Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0') || !Path.IsPathFullyQualified(path)) return null;
        var full = Path.GetFullPath(path);
        return IsStrictlyInside(full) ? full : null;
    }

    private bool IsStrictlyInside(string full) =>
        full.Length > _root.Length + 1
        && full.StartsWith(_root, StringComparison.Ordinal)
        && full[_root.Length] == Path.DirectorySeparatorChar;

    /// <summary>True when the file or any folder between it and the output folder is a link (which could lead outside).</summary>
    private bool HasLinkBelowRoot(string full)
    {
        for (var current = full; IsStrictlyInside(current); current = Path.GetDirectoryName(current)!)
        {
            // readlink(2) on the path itself: a link to a file, to a folder or to nothing at all.
            if (new FileInfo(current).LinkTarget is not null) return true;
        }
        return false;
    }
}
