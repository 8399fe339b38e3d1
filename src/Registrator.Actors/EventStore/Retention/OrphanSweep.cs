namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// Which files in a node's output folder are orphans: clips and keyframes (and their temporaries) of an event that no
/// record in Redis names any more, left by a crash between the record's removal and the files' deletion, by a node
/// that was gone while others removed its records, or by a registration that never reached Redis. Pure: the caller
/// lists the folder (<see cref="MediaFile"/>) and reads which events Redis still has.
/// <para>
/// Only the layout the encoders write is touched, <c>&lt;uuid&gt;/&lt;uuid&gt;.mp4</c>, <c>.jpg</c> and the hidden
/// <c>.&lt;uuid&gt;.mp4.tmp</c>, <c>.jpg.tmp</c> (TMP_PATH may be /tmp, shared with anything), and never a file
/// written within the grace period: a registration writes its files before its record exists.
/// </para>
/// </summary>
public static class OrphanSweep
{
    /// <summary>The files to delete.</summary>
    /// <param name="files">What the output folder's <c>&lt;uuid&gt;</c> folders hold.</param>
    /// <param name="known">Events Redis still names: their ids, and the folders their paths lead to.</param>
    /// <param name="nowUtc">Now.</param>
    /// <param name="grace">Files written more recently than this are never orphans.</param>
    public static IReadOnlyList<MediaFile> Select(IEnumerable<MediaFile> files, IReadOnlySet<Guid> known, DateTime nowUtc, TimeSpan grace)
    {
        var cutoff = nowUtc - grace;
        return files.Where(f => IsOurs(f) && f.LastWriteUtc < cutoff && !known.Contains(Guid.ParseExact(f.Folder, "D"))).ToList();
    }

    /// <summary>True when <paramref name="file"/> is named as the encoders name an event's files in its folder.</summary>
    public static bool IsOurs(MediaFile file)
    {
        if (!Guid.TryParseExact(file.Folder, "D", out _)) return false;
        var id = file.Folder;
        return file.Name == id + ".mp4" || file.Name == id + ".jpg" || file.Name == $".{id}.mp4.tmp" || file.Name == $".{id}.jpg.tmp";
    }

    /// <summary>The event a folder name stands for, when it is a uuid (as the encoders and the Python module name them).</summary>
    public static Guid? EventOf(string folder) => Guid.TryParse(folder, out var id) ? id : null;
}
