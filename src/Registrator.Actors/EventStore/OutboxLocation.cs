using System.Security.Cryptography;
using System.Text;

namespace Registrator.Actors.EventStore;

/// <summary>
/// Where a node's outbox lives when <c>registrator.events.outbox-path</c> is empty, and whether that place forgets its
/// contents at a reboot. The default is a data directory, not TMP_PATH (often a tmpfs):
/// <c>$REGISTRATOR_DATA/outbox/&lt;name&gt;</c>, else <c>/var/lib/registrator/outbox/&lt;name&gt;</c>, where
/// <c>&lt;name&gt;</c> comes from the node's output path, so nodes on one host (each with its own TMP_PATH) get
/// folders of their own and a node finds its folder again after a restart. When that directory cannot be created
/// (an unprivileged user without REGISTRATOR_DATA), <c>&lt;output-path&gt;/outbox</c> as before, with a warning.
/// </summary>
public static class OutboxLocation
{
    /// <summary>The environment variable naming the node's data directory.</summary>
    public const string DataVariable = "REGISTRATOR_DATA";

    /// <summary>The data directory without <see cref="DataVariable"/>.</summary>
    public const string DefaultDataDirectory = "/var/lib/registrator";

    /// <summary>File systems whose contents a reboot discards.</summary>
    private static readonly HashSet<string> VolatileTypes = new(StringComparer.Ordinal) { "tmpfs", "ramfs", "devtmpfs" };

    /// <summary>The outbox folder, and a warning when it is not where the configuration's default would put it.</summary>
    /// <param name="configured">outbox-path; <c>null</c> or empty = the default.</param>
    /// <param name="outputPath">TMP_PATH, fully resolved.</param>
    /// <param name="dataDirectory">REGISTRATOR_DATA's value (<c>null</c>: unset).</param>
    /// <param name="canCreate">Creates the folder and says whether that worked (a parameter, so it can be tested).</param>
    public static (string Directory, string? Warning) Resolve(string? configured, string outputPath, string? dataDirectory, Func<string, bool> canCreate)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return (Path.GetFullPath(configured), null);
        var data = string.IsNullOrWhiteSpace(dataDirectory) ? DefaultDataDirectory : dataDirectory;
        var folder = Path.GetFullPath(Path.Combine(data, "outbox", FolderNameOf(outputPath)));
        if (canCreate(folder)) return (folder, null);
        var fallback = Path.GetFullPath(Path.Combine(outputPath, "outbox"));
        return (fallback, $"cannot create the outbox folder {folder} (set {DataVariable} or registrator.events.outbox-path to a writable folder that survives a reboot); using {fallback}");
    }

    /// <summary><see cref="Resolve(string?, string, string?, Func{string, bool})"/> with the process environment and the real disk.</summary>
    public static (string Directory, string? Warning) Resolve(string? configured, string outputPath) =>
        Resolve(configured, outputPath, Environment.GetEnvironmentVariable(DataVariable), TryCreate);

    /// <summary>A readable, stable folder name for an output path: <c>/tmp/node-1</c> → <c>tmp_node-1-&lt;8 hex&gt;</c>.</summary>
    public static string FolderNameOf(string outputPath)
    {
        var full = Path.GetFullPath(outputPath).TrimEnd('/');
        var readable = new StringBuilder();
        foreach (var c in full.TrimStart('/'))
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_');
        if (readable.Length > 48) readable.Remove(0, readable.Length - 48);
        // The hash tells apart paths the readable part maps alike ("/a_b" and "/a/b").
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(full)))[..8];
        return (readable.Length == 0 ? "root" : readable.ToString()) + "-" + hash;
    }

    /// <summary>
    /// The file system type of the mount that holds <paramref name="path"/>, from the text of <c>/proc/mounts</c>
    /// (the longest mount point that contains it); <c>null</c> when none matches.
    /// </summary>
    public static string? FileSystemOf(string path, string procMounts)
    {
        var full = Path.GetFullPath(path);
        string? best = null, type = null;
        foreach (var line in procMounts.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length < 3) continue;
            // /proc/mounts escapes blanks in mount points as octal (\040).
            var mount = fields[1].Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal);
            if (!Contains(mount, full)) continue;
            if (best is null || mount.Length >= best.Length)
            {
                best = mount;
                type = fields[2];
            }
        }
        return type;
    }

    /// <summary>True when <paramref name="fileSystem"/> loses its contents at a reboot.</summary>
    public static bool IsVolatile(string? fileSystem) => fileSystem is not null && VolatileTypes.Contains(fileSystem);

    /// <summary>The file system of <paramref name="path"/> on this machine; <c>null</c> when /proc/mounts cannot be read.</summary>
    public static string? FileSystemOf(string path)
    {
        try
        {
            return File.Exists("/proc/mounts") ? FileSystemOf(path, File.ReadAllText("/proc/mounts")) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool Contains(string mount, string path) =>
        mount == "/" || path == mount || path.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static bool TryCreate(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
