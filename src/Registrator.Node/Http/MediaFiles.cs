namespace Registrator.Node.Http;

/// <summary>
/// Finds an event's clip or keyframe under <c>registrator.media.output-path</c> (TMP_PATH) for <c>/media</c>. The path is
/// built from the parsed event id alone, never from request text, then checked anyway: it must resolve strictly inside
/// the output folder, and neither the file nor its folder may be a symbolic link (a link could lead anywhere). Anything
/// else is "not found", so a probe learns nothing about the disk.
/// </summary>
internal sealed class MediaFiles
{
    private readonly string _root;

    public MediaFiles(string outputPath) => _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputPath));

    /// <summary>The request path segment of each kind.</summary>
    public static string FileName(MediaKind kind) => kind == MediaKind.Clip ? "clip.mp4" : "keyframe.jpg";

    public static string ContentType(MediaKind kind) => kind == MediaKind.Clip ? "video/mp4" : "image/jpeg";

    /// <summary>The kind a request's file name asks for, or <c>null</c>.</summary>
    public static MediaKind? KindOf(string fileName) => fileName switch
    {
        "clip.mp4" => MediaKind.Clip,
        "keyframe.jpg" => MediaKind.Keyframe,
        _ => null,
    };

    /// <summary>The file's full path when it exists and may be served; otherwise <c>null</c>.</summary>
    public string? Find(Guid eventId, MediaKind kind)
    {
        var id = eventId.ToString("D");
        var full = Path.GetFullPath(Path.Combine(_root, id, id + (kind == MediaKind.Clip ? ".mp4" : ".jpg")));
        var folder = Path.GetDirectoryName(full);
        if (folder is null || !IsStrictlyInside(folder) || !IsStrictlyInside(full)) return null;
        try
        {
            var folderInfo = new DirectoryInfo(folder);
            if (!folderInfo.Exists || folderInfo.LinkTarget is not null) return null;
            var file = new FileInfo(full);
            return file.Exists && file.LinkTarget is null ? full : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private bool IsStrictlyInside(string full) =>
        full.Length > _root.Length + 1
        && full.StartsWith(_root, StringComparison.Ordinal)
        && full[_root.Length] == Path.DirectorySeparatorChar;
}
