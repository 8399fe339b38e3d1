namespace Registrator.Actors.Events;

/// <summary>
/// The name that says which node holds an event's files (the <c>node_id</c> of every event it records): the node whose
/// retention deletes them. It must survive a restart of the same node, or a restarted node would never delete what it
/// wrote before: <c>registrator.events.retention.node-name</c> when set, else a UUID kept in
/// <see cref="FileName"/> inside the output folder (TMP_PATH), made on first start. The folder is what holds the files,
/// so "same TMP_PATH" is "same node" by construction, and a node given an empty folder is rightly a new one.
/// </summary>
public static class NodeName
{
    /// <summary>The file in TMP_PATH that keeps a generated name; a dot file, so no media listing shows it.</summary>
    public const string FileName = ".registrator-node";

    /// <summary>Longest name accepted from the file or the configuration (it is written into every event).</summary>
    public const int MaxLength = 200;

    /// <summary>
    /// <paramref name="configured"/> when not empty; else the name kept in <paramref name="outputPath"/>, created there
    /// when missing. Two processes starting on one folder at once agree: the file is created exclusively, and the loser
    /// reads the winner's.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be read or written (then the node cannot write clips either).</exception>
    /// <exception cref="UnauthorizedAccessException">Likewise.</exception>
    public static string Resolve(string? configured, string outputPath)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured.Trim();
        var path = Path.Combine(outputPath, FileName);
        for (var attempt = 0; ; attempt++)
        {
            if (ReadName(path) is { } existing) return existing;
            Directory.CreateDirectory(outputPath);
            var name = Guid.NewGuid().ToString("D");
            try
            {
                // Written to a temporary file and linked in place, so a reader never sees a half-written name.
                var temporary = Path.Combine(outputPath, $"{FileName}.{name}.tmp");
                File.WriteAllText(temporary, name + "\n");
                try
                {
                    File.Move(temporary, path, overwrite: false);
                }
                finally
                {
                    File.Delete(temporary);
                }
                return name;
            }
            catch (IOException) when (attempt < 3 && File.Exists(path))
            {
                // Another process made it first: take its name.
            }
        }
    }

    private static string? ReadName(string path)
    {
        if (!File.Exists(path)) return null;
        var name = File.ReadAllText(path).Trim();
        return name.Length is > 0 and <= MaxLength ? name : null;
    }
}
