namespace Registrator.Actors.EventStore;

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
    /// waits for the winner's.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be read or written (then the node cannot write clips either).</exception>
    /// <exception cref="UnauthorizedAccessException">Likewise.</exception>
    public static string Resolve(string? configured, string outputPath)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured.Trim();
        var path = Path.Combine(outputPath, FileName);
        Directory.CreateDirectory(outputPath);
        for (var attempt = 0; ; attempt++)
        {
            if (ReadName(path) is { } existing) return existing;
            var name = Guid.NewGuid().ToString("D");
            try
            {
                // O_EXCL: of processes starting on one folder at once, exactly one creates the file.
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                {
                    stream.Write(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
                    stream.Flush(flushToDisk: true);
                }
                return name;
            }
            catch (IOException) when (attempt < 3 && File.Exists(path))
            {
                // Another process created it first: its name is readable as soon as it has written it.
                if (AwaitName(path) is { } winner) return winner;
                // Still empty after a while: a process died between creating and writing it; start over.
                File.Delete(path);
            }
        }
    }

    private static string? AwaitName(string path)
    {
        var deadline = Environment.TickCount64 + 2000;
        while (Environment.TickCount64 < deadline)
        {
            if (ReadName(path) is { } name) return name;
            Thread.Sleep(5); // start-up only, before any actor runs
        }
        return null;
    }

    private static string? ReadName(string path)
    {
        string name;
        try
        {
            name = File.ReadAllText(path).Trim();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        return name.Length is > 0 and <= MaxLength ? name : null;
    }
}
