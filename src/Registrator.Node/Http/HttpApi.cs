// Longer than 300 lines because it is the API's route table in one place, each route a few lines over the readers in Events/, Tasks/ and Health/.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Node.Configuration;
using Registrator.Node.Http.Events;
using Registrator.Node.Http.Health;
using Registrator.Node.Http.Tasks;
using Registrator.Node.Urls;
using StackExchange.Redis;

namespace Registrator.Node.Http;

/// <summary>
/// The node's HTTP surface, mapped onto its <see cref="WebApplication"/>:
/// <code>
///   GET /                              the events page (open)          GET /health/live    200 while the process runs
///   GET /assets/{app.js|style.css}     its script and style (open)     GET /health/ready   200, or 503 naming what fails
///   GET /metrics                       Prometheus text (open)
///   GET /api/events?key=&amp;since=&amp;until=&amp;limit=&amp;offset=   newest first, from the Redis sorted set
///   GET /api/events/{eventId}          one event, 404 if unknown
///   GET /api/events/stream             server-sent events: one "registered" event per event the cluster records
///   GET /api/keys                      the task keys that have events, with counts (<see cref="KnownKeys"/>)
///   GET /api/tasks?limit=              the live tasks of the whole cluster and their nodes (<see cref="TaskDirectory"/>)
///   GET /api/tasks/{key}               the task's snapshot (GetTask through the shard region, with a timeout)
///   GET /media/{eventId}/clip.mp4      video/mp4, with range requests (206) so players can seek
///   GET /media/{eventId}/keyframe.jpg  image/jpeg
/// </code>
/// Media that another node wrote (each node has its own TMP_PATH) is proxied to that node (<see cref="MediaProxy"/>),
/// found through the event's <c>node</c> field in Redis.
/// With <c>registrator.http.token</c> set, everything but the open paths needs the token (<see cref="BearerTokenGate"/>).
/// </summary>
internal static class HttpApi
{
    private const string TasksPrefix = "/api/tasks/";

    public static void Map(WebApplication app, NodeContext node)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Registrator.Node.Http");
        var queries = new EventQueries(node.Redis, node.Settings.Events.Keys);
        var media = new MediaFiles(node.Settings.Media.OutputPath);
        var readiness = new ReadinessCheck(node);
        var keys = new KnownKeys(node.Redis, node.Settings.Events.Keys);
        var tasks = new TaskDirectory(node);
        // Once the host runs, the actor system exists and the server has bound: other nodes' pages can name this one.
        app.Lifetime.ApplicationStarted.Register(() => PublishUrl(node, log));
        // Once this node knows its URL: publish it under its node_id, and learn where the others are now.
        app.Lifetime.ApplicationStarted.Register(() => node.NodeUrls.Start());
        var presence = new TaskPresence(node.Redis, node.Settings.Sharding.NumberOfShards);

        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            // Media and stream URLs may carry ?token=: no page of ours hands them on as a referrer.
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'";
            return next(context);
        });
        if (node.Http.Token is { } token) app.UseMiddleware<BearerTokenGate>(token);

        app.MapGet("/", () => PageAssets.Serve("index.html"));
        app.MapGet("/assets/{name}", (string name) => PageAssets.Serve(name));

        app.MapGet("/health/live", () => Results.Json(new { status = "live" }, ApiJson.Options));
        app.MapGet("/health/ready", async (CancellationToken cancellation) =>
        {
            var result = await readiness.CheckAsync(cancellation);
            return Results.Json(result, ApiJson.Options, statusCode: result.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapPrometheusScrapingEndpoint("/metrics");

        app.MapGet("/api/events", async (HttpRequest request, CancellationToken cancellation) =>
        {
            if (ParseFilter(request.Query, node.Http) is not { } filter) return BadRequest(FilterHelp(node.Http));
            try
            {
                var page = await queries.ListAsync(filter, cancellation);
                return Results.Json(new
                {
                    events = page.Events.Select(e => WithMedia(e, media, node)),
                    offset = filter.Offset,
                    limit = filter.Limit,
                    has_more = page.HasMore,
                    next_offset = page.HasMore ? filter.Offset + filter.Limit : (int?)null,
                }, ApiJson.Options);
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                return RedisUnavailable(log, queries, e);
            }
        });

        app.MapGet("/api/events/stream", (HttpContext context) => StreamAsync(context, node));

        app.MapGet("/api/events/{eventId}", async (string eventId, CancellationToken cancellation) =>
        {
            if (!Guid.TryParse(eventId, out var id)) return NotFound($"no event {eventId}: not an event id");
            try
            {
                return await queries.FindAsync(id, cancellation) is { } found
                    ? Results.Json(WithMedia(found, media, node), ApiJson.Options)
                    : NotFound($"no event {id} in {queries.SortedSetKey}");
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                return RedisUnavailable(log, queries, e);
            }
        });

        app.MapGet("/api/keys", async (CancellationToken cancellation) =>
        {
            try
            {
                return Results.Json(new { keys = await keys.ListAsync(cancellation) }, ApiJson.Options);
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                log.LogWarning("Reading {SortedSet} from Redis failed: {Error}", keys.SortedSetKey, e.Message);
                return Unavailable($"Redis is not available: {e.Message}");
            }
        });

        // A literal route: it wins over /api/tasks/{**key}, whose catch-all would also match an empty key.
        app.MapGet("/api/tasks", async (HttpRequest request, CancellationToken cancellation) =>
        {
            if (!TryInt(request.Query, "limit", node.Http.MaxPageSize, out var limit) || limit < 1 || limit > node.Http.MaxPageSize)
                return BadRequest($"parameters: limit (1..{node.Http.MaxPageSize}, default {node.Http.MaxPageSize})");
            if (!node.TryGetRegion(out _, out _)) return Unavailable("the node is starting: no task region yet");
            try
            {
                var listing = await tasks.ListAsync(limit, cancellation);
                return Results.Bytes(TaskListingJson.ToUtf8(listing, limit, node.Settings.Media.Encoder.FramesPerSecond), "application/json");
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new ApiError($"the shard coordinator did not answer within {node.Http.AskTimeout}"), ApiJson.Options,
                    statusCode: StatusCodes.Status504GatewayTimeout);
            }
        });

        app.MapGet("/api/tasks/{**key}", async (HttpContext context) =>
        {
            if (TaskKeyOf(context) is not { Length: > 0 } key) return NotFound("no task key");
            if (!node.TryGetRegion(out var system, out var region)) return Unavailable("the node is starting: no task region yet");
            try
            {
                // Asking the region for a key starts its entity: a key no node runs is answered here, creating nothing.
                if (!await presence.ExistsAsync(system, region, key, node.Http.AskTimeout, context.RequestAborted))
                    return Results.Bytes(TaskSnapshotJson.ToUtf8(TaskPresence.Untouched(key)), "application/json");
                var answer = await region.Ask<object>(new TaskQueries.GetTask(key), node.Http.AskTimeout, context.RequestAborted);
                return answer is TaskReplies.TaskSnapshot snapshot
                    ? Results.Bytes(TaskSnapshotJson.ToUtf8(snapshot), "application/json")
                    : Results.Json(new ApiError($"the task answered {answer.GetType().Name}"), ApiJson.Options, statusCode: StatusCodes.Status502BadGateway);
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new ApiError($"task {key} did not answer within {node.Http.AskTimeout}"), ApiJson.Options,
                    statusCode: StatusCodes.Status504GatewayTimeout);
            }
        });

        app.MapGet("/media/{eventId}/{file}", async (string eventId, string file, HttpContext context) =>
        {
            // The path is built from the parsed id, never from the request text: "..", "%2F" and the like cannot get here.
            if (!Guid.TryParseExact(eventId, "D", out var id) || MediaFiles.KindOf(file) is not { } kind) return Results.NotFound();
            if (media.Find(id, kind) is { } path)
            {
                // An event's files never change once written (they appear atomically): the browser may keep them.
                context.Response.Headers.CacheControl = "private, max-age=86400";
                return Results.File(path, MediaFiles.ContentType(kind), lastModified: File.GetLastWriteTimeUtc(path), enableRangeProcessing: true);
            }
            // Not on this disk. A request another node proxied here stops here (the loop guard); any other goes to the
            // node that wrote the files, as the event in Redis names it, unless that is this node.
            if (context.Request.Headers.ContainsKey(MediaProxy.ProxiedHeader)) return Results.NotFound();
            EventView? found;
            try
            {
                found = await queries.FindAsync(id, context.RequestAborted);
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                return RedisUnavailable(log, queries, e);
            }
            return found is not null && RemoteWriter(found, kind, node) is { } writer ? node.Proxy.Forward(writer, id, kind) : Results.NotFound();
        });
    }

    /// <summary>The events of <c>/api/events</c>, or <c>null</c> when a parameter is malformed.</summary>
    internal static EventFilter? ParseFilter(IQueryCollection query, HttpSettings http)
    {
        var key = query["key"].ToString();
        if (!TryDouble(query, "since", out var since) || !TryDouble(query, "until", out var until)) return null;
        if (!TryInt(query, "limit", http.DefaultPageSize, out var limit) || limit < 1 || limit > http.MaxPageSize) return null;
        if (!TryInt(query, "offset", 0, out var offset) || offset < 0) return null;
        return new EventFilter(key.Length == 0 ? null : key, since, until, limit, offset);
    }

    private static string FilterHelp(HttpSettings http) =>
        $"parameters: key (task key), since and until (Unix seconds), limit (1..{http.MaxPageSize}, default {http.DefaultPageSize}), offset (0 or more)";

    private static bool TryDouble(IQueryCollection query, string name, out double? value)
    {
        value = null;
        var text = query[name].ToString();
        if (text.Length == 0) return true;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !double.IsFinite(parsed)) return false;
        value = parsed;
        return true;
    }

    private static bool TryInt(IQueryCollection query, string name, int fallback, out int value)
    {
        var text = query[name].ToString();
        value = fallback;
        return text.Length == 0 || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// The task key of <c>/api/tasks/{key}</c>, percent-decoded exactly once from the raw request target: the server
    /// leaves <c>%2F</c> encoded in the path it routes on, so a key with a slash (any Unicode, in fact) only comes
    /// out right when decoded here. Unencoded slashes are part of the key too.
    /// </summary>
    internal static string? TaskKeyOf(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var query = raw.IndexOf('?');
        if (query >= 0) raw = raw[..query];
        if (raw.StartsWith(TasksPrefix, StringComparison.OrdinalIgnoreCase)) return Uri.UnescapeDataString(raw[TasksPrefix.Length..]);
        // An absolute-form target (through a proxy): the routed value, with the one escape the server leaves in place.
        return context.Request.RouteValues["key"] is string routed ? routed.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase) : null;
    }

    /// <summary>The event with links to the files any node can serve: from this node's disk, or proxied from the writing node.</summary>
    private static EventView WithMedia(EventView e, MediaFiles media, NodeContext node)
    {
        if (e.EventId is not { } id) return e;
        return e with
        {
            ClipUrl = Servable(e, id, MediaKind.Clip, media, node) ? $"/media/{id:D}/{MediaFiles.FileName(MediaKind.Clip)}" : null,
            KeyframeUrl = Servable(e, id, MediaKind.Keyframe, media, node) ? $"/media/{id:D}/{MediaFiles.FileName(MediaKind.Keyframe)}" : null,
        };
    }

    private static bool Servable(EventView e, Guid id, MediaKind kind, MediaFiles media, NodeContext node) =>
        media.Find(id, kind) is not null || RemoteWriter(e, kind, node) is not null;

    /// <summary>
    /// The base URL of the other node that holds the event's <paramref name="kind"/> file, or <c>null</c>: the event has
    /// no such file, names no usable node (the Python module's members, a node without HTTP), or names this node.
    /// </summary>
    private static string? RemoteWriter(EventView e, MediaKind kind, NodeContext node) =>
        // Where the writing node is now (by its node_id), else where it was when it wrote the event.
        e.ProofOf(kind) is not null && (node.NodeUrls.UrlOf(e.NodeId) ?? e.Node) is { } writer && NodeUrl.IsUsable(writer)
        && !string.Equals(writer.TrimEnd('/'), node.PublicUrl, StringComparison.OrdinalIgnoreCase)
            ? writer
            : null;

    /// <summary>
    /// <c>text/event-stream</c> until the client goes away: a <c>registered</c> event per notice, and a comment line
    /// after each quiet <c>stream-heartbeat</c> so proxies keep the stream open and a dead server is noticed.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, NodeContext node)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var subscription = node.Feed.Subscribe();
        try
        {
            // retry: how long EventSource waits before reconnecting after the node went away.
            await response.WriteAsync("retry: 2000\n: connected\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                quiet.CancelAfter(node.Http.StreamHeartbeat);
                string chunk;
                try
                {
                    var notice = await subscription.Reader.ReadAsync(quiet.Token);
                    var json = JsonSerializer.Serialize(new { event_id = notice.EventId, key = notice.Key, timestamp = notice.Timestamp, error = notice.Error }, ApiJson.Options);
                    chunk = new StringBuilder().Append("id: ").Append(notice.EventId.ToString("D")).Append("\nevent: registered\ndata: ").Append(json).Append("\n\n").ToString();
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    chunk = ": keep-alive\n\n";
                }
                await response.WriteAsync(chunk, aborted);
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page was closed or reloaded: nothing to clean up but the subscription.
        }
    }

    private static void PublishUrl(NodeContext node, ILogger log)
    {
        if (node.System is { } system) system.ActorOf(NodeUrlPublisher.Props(() => node.PublicUrl), NodeUrlPublisher.Name);
        else log.LogWarning("The actor system had not started with the HTTP server: /api/tasks on other nodes will not name this node's URL");
    }

    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    private static IResult RedisUnavailable(ILogger log, EventQueries queries, Exception e)
    {
        log.LogWarning("Reading {SortedSet} from Redis failed: {Error}", queries.SortedSetKey, e.Message);
        return Unavailable($"Redis is not available: {e.Message}");
    }

    private static IResult BadRequest(string error) => Results.Json(new ApiError(error), ApiJson.Options, statusCode: StatusCodes.Status400BadRequest);

    private static IResult NotFound(string error) => Results.Json(new ApiError(error), ApiJson.Options, statusCode: StatusCodes.Status404NotFound);

    private static IResult Unavailable(string error) => Results.Json(new ApiError(error), ApiJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
}
