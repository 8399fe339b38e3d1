using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Registrator.Node.Http;

/// <summary>
/// Middleware for <c>registrator.http.token</c>: every path but the open ones (the page and its assets, health, metrics)
/// needs <c>Authorization: Bearer &lt;token&gt;</c>, or <c>?token=&lt;token&gt;</c> where a browser cannot send a header
/// (video and image elements, EventSource). Denying by default means a path spelled oddly (<c>//api</c>, <c>/API</c>)
/// never slips past. Tokens are compared in constant time.
/// </summary>
internal sealed class BearerTokenGate(RequestDelegate next, string token)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public Task InvokeAsync(HttpContext context)
    {
        if (IsOpen(context.Request.Path) || Presented(context.Request) is { } presented && Matches(presented)) return next(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"registrator\"";
        return context.Response.WriteAsJsonAsync(new ApiError("a bearer token is required (Authorization: Bearer <token>, or ?token=<token>)"), ApiJson.Options);
    }

    /// <summary>Paths anyone may read: they show no event data (the page reads its data from /api with the token).</summary>
    internal static bool IsOpen(PathString path) =>
        path == "/" || path == "/index.html" || path == "/metrics"
        || path.StartsWithSegments("/assets", StringComparison.Ordinal)
        || path.StartsWithSegments("/health", StringComparison.Ordinal);

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return request.Query.TryGetValue("token", out var query) && query.Count == 1 ? query[0] : null;
    }

    private bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);
}
