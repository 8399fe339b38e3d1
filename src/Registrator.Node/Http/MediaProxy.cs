using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registrator.Node.Configuration;

namespace Registrator.Node.Http;

/// <summary>
/// Serves a clip or keyframe that another node wrote (its TMP_PATH is not ours) by proxying the request to that node's
/// same <c>/media</c> URL: <c>Range</c>, <c>If-Range</c> and the shared bearer token go along, the body streams back
/// with the status (200, 206, 304, 404, 416) and the headers a player needs. The request carries
/// <see cref="ProxiedHeader"/>, so the receiving node answers from its own disk or 404s, and never proxies again.
/// A node that cannot be reached within <c>registrator.http.proxy-timeout</c> is a 503 naming it.
/// </summary>
internal sealed class MediaProxy : IDisposable
{
    /// <summary>Marks a request one node proxies to another: the receiver serves only local files (the loop guard).</summary>
    public const string ProxiedHeader = "X-Registrator-Proxied";

    private static readonly HashSet<int> Passed = [200, 206, 304, 404, 416];
    private static readonly string[] RequestHeaders = ["Range", "If-Range"];
    private static readonly string[] ResponseHeaders =
        ["Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "Cache-Control"];

    private readonly HttpClient _client;
    private readonly string? _token;
    private readonly TimeSpan _timeout;

    public MediaProxy(HttpSettings http)
    {
        _token = http.Token;
        _timeout = http.ProxyTimeout;
        _client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = http.ProxyTimeout,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            // Bodies are long streams; only connecting and the headers are bounded (see ForwardAsync).
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The result that proxies <c>/media/{id}/{file}</c> to <paramref name="node"/> (a base URL).</summary>
    public IResult Forward(string node, Guid eventId, MediaKind kind) => new ProxyResult(this, node, eventId, kind);

    public void Dispose() => _client.Dispose();

    private async Task ForwardAsync(HttpContext context, string node, Guid eventId, MediaKind kind)
    {
        var aborted = context.RequestAborted;
        var response = context.Response;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{node.TrimEnd('/')}/media/{eventId:D}/{MediaFiles.FileName(kind)}");
        request.Headers.TryAddWithoutValidation(ProxiedHeader, "1");
        foreach (var name in RequestHeaders)
        {
            if (context.Request.Headers.TryGetValue(name, out var values))
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        if (_token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);

        HttpResponseMessage upstream;
        using (var headersDue = CancellationTokenSource.CreateLinkedTokenSource(aborted))
        {
            headersDue.CancelAfter(_timeout);
            try
            {
                upstream = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersDue.Token);
            }
            catch (HttpRequestException e)
            {
                await Unavailable(context, $"node {node}, which holds this event's files, is unreachable: {e.Message}");
                return;
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                await Unavailable(context, $"node {node}, which holds this event's files, did not answer within {_timeout}");
                return;
            }
        }

        using (upstream)
        {
            var status = (int)upstream.StatusCode;
            if (!Passed.Contains(status))
            {
                response.StatusCode = StatusCodes.Status502BadGateway;
                await response.WriteAsJsonAsync(new ApiError($"node {node}, which holds this event's files, answered {status}"), ApiJson.Options, aborted);
                return;
            }
            response.StatusCode = status;
            foreach (var name in ResponseHeaders)
            {
                if (upstream.Headers.TryGetValues(name, out var values) || upstream.Content.Headers.TryGetValues(name, out values))
                    response.Headers[name] = values.ToArray();
            }
            try
            {
                await using var body = await upstream.Content.ReadAsStreamAsync(aborted);
                await body.CopyToAsync(response.Body, aborted);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !aborted.IsCancellationRequested)
            {
                // The writing node went away mid-body: the status is sent, so the only honest answer is a cut connection.
                context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Registrator.Node.Http")
                    .LogWarning("Proxying {Path} from {Node} broke off: {Error}", context.Request.Path, node, e.Message);
                context.Abort();
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away.
            }
        }
    }

    private static Task Unavailable(HttpContext context, string error)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "5";
        return context.Response.WriteAsJsonAsync(new ApiError(error), ApiJson.Options, context.RequestAborted);
    }

    private sealed class ProxyResult(MediaProxy proxy, string node, Guid eventId, MediaKind kind) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => proxy.ForwardAsync(httpContext, node, eventId, kind);
    }
}
