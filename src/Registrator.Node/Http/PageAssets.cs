using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Registrator.Node.Http;

/// <summary>
/// The events page (wwwroot/: index.html, app.js, style.css), embedded in the assembly and served from memory: a fixed
/// list of names, so no request path ever reaches the file system. No build step and no CDN: the page is plain
/// HTML, CSS and JavaScript.
/// </summary>
internal static class PageAssets
{
    private sealed record Asset(byte[] Content, string ContentType);

    private static readonly FrozenDictionary<string, Asset> Assets = new Dictionary<string, Asset>(StringComparer.Ordinal)
    {
        ["index.html"] = Load("index.html", "text/html; charset=utf-8"),
        ["app.js"] = Load("app.js", "text/javascript; charset=utf-8"),
        ["style.css"] = Load("style.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The asset named <paramref name="name"/>, or 404.</summary>
    public static IResult Serve(string name) =>
        Assets.TryGetValue(name, out var asset) ? Results.Bytes(asset.Content, asset.ContentType) : Results.NotFound();

    private static Asset Load(string name, string contentType)
    {
        var resource = "Registrator.Node.wwwroot." + name;
        using var stream = typeof(PageAssets).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is not embedded in the node's assembly");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return new Asset(buffer.ToArray(), contentType);
    }
}
