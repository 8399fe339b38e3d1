using System.Net;
using System.Net.Http.Headers;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// Two nodes on one Redis sorted set, each with its own TMP_PATH and HTTP port (as on separate hosts): an event node 1
/// wrote is served by node 2 too, which proxies its media requests to node 1.
/// </summary>
public sealed class MediaProxySpec : IAsyncLifetime
{
    private const string Token = "shared-node-token";
    private const string WithToken = $"registrator.http.token = \"{Token}\"";

    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.StartAsync();

    public Task DisposeAsync() => _redis.DisposeAsync().AsTask();

    [Fact]
    public async Task A_clip_written_on_node_1_is_listed_and_served_by_node_2_with_ranges_and_a_503_naming_node_1_once_it_is_gone()
    {
        var eventsKey = "events-" + Guid.NewGuid().ToString("N")[..12];
        var writer = await TestNode.StartAsync(_redis, WithToken, eventsKey: eventsKey);
        await using var reader = await TestNode.StartAsync(_redis, WithToken, eventsKey: eventsKey);
        var writerUrl = writer.BaseAddress.ToString().TrimEnd('/');
        try
        {
            writer.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            reader.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            var registered = await writer.RegisterAsync("camera-proxy-" + Guid.NewGuid().ToString("N")[..6]);
            var id = registered.EventId;
            Assert.NotNull(registered.VideoPath);
            Assert.False(File.Exists(Path.Combine(reader.OutputPath, id.ToString(), $"{id}.mp4")), "node 2 must not have the clip on its disk");

            // The event, read by node 2, names node 1 and links the files.
            var found = await reader.GetJsonAsync($"/api/events/{id}");
            Assert.Equal(writerUrl, found.GetProperty("node").GetString());
            Assert.Equal($"/media/{id}/clip.mp4", found.GetProperty("clip_url").GetString());
            Assert.Equal($"/media/{id}/keyframe.jpg", found.GetProperty("keyframe_url").GetString());
            var listed = await reader.GetJsonAsync("/api/events");
            Assert.Equal($"/media/{id}/clip.mp4", Assert.Single(listed.GetProperty("events").EnumerateArray()).GetProperty("clip_url").GetString());

            // The whole clip: the same bytes through either node.
            var file = await File.ReadAllBytesAsync(registered.VideoPath!);
            using (var direct = await writer.Http.GetAsync($"/media/{id}/clip.mp4"))
            using (var proxied = await reader.Http.GetAsync($"/media/{id}/clip.mp4"))
            {
                Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
                Assert.Equal("video/mp4", proxied.Content.Headers.ContentType?.MediaType);
                Assert.Equal(file.Length, proxied.Content.Headers.ContentLength);
                Assert.Contains("bytes", proxied.Headers.AcceptRanges);
                var proxiedBytes = await proxied.Content.ReadAsByteArrayAsync();
                Assert.Equal(await direct.Content.ReadAsByteArrayAsync(), proxiedBytes);
                Assert.Equal(file, proxiedBytes);
            }

            // A range: 206 with exactly those bytes and node 1's Content-Range.
            using (var range = new HttpRequestMessage(HttpMethod.Get, $"/media/{id}/clip.mp4"))
            {
                range.Headers.Range = new RangeHeaderValue(0, 99);
                using var partial = await reader.Http.SendAsync(range);
                Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
                Assert.Equal($"bytes 0-99/{file.Length}", partial.Content.Headers.ContentRange?.ToString());
                Assert.Equal(100, partial.Content.Headers.ContentLength);
                Assert.Equal(file[..100], await partial.Content.ReadAsByteArrayAsync());
            }

            // Past the end: node 1's 416 comes through.
            using (var beyond = new HttpRequestMessage(HttpMethod.Get, $"/media/{id}/clip.mp4"))
            {
                beyond.Headers.Range = new RangeHeaderValue(file.Length + 10, null);
                using var unsatisfiable = await reader.Http.SendAsync(beyond);
                Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
                Assert.Equal($"bytes */{file.Length}", unsatisfiable.Content.Headers.ContentRange?.ToString());
            }

            // The keyframe too.
            using (var keyframe = await reader.Http.GetAsync($"/media/{id}/keyframe.jpg"))
            {
                Assert.Equal(HttpStatusCode.OK, keyframe.StatusCode);
                Assert.Equal("image/jpeg", keyframe.Content.Headers.ContentType?.MediaType);
                Assert.Equal(await File.ReadAllBytesAsync(registered.ImagePath!), await keyframe.Content.ReadAsByteArrayAsync());
            }

            // The loop guard: a request marked as proxied is answered from the disk only, so node 2 says 404.
            using (var marked = new HttpRequestMessage(HttpMethod.Get, $"/media/{id}/clip.mp4"))
            {
                marked.Headers.Add("X-Registrator-Proxied", "1");
                using var guarded = await reader.Http.SendAsync(marked);
                Assert.Equal(HttpStatusCode.NotFound, guarded.StatusCode);
            }

            // Unknown events and non-UUID ids stay 404 on the node that would proxy.
            Assert.Equal(HttpStatusCode.NotFound, (await reader.Http.GetAsync($"/media/{Guid.NewGuid()}/clip.mp4")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await reader.Http.GetAsync("/media/not-a-guid/clip.mp4")).StatusCode);
        }
        finally
        {
            await writer.DisposeAsync();
        }

        // Node 1 is gone: node 2 still lists the event, and answers its clip with a 503 that names node 1.
        using var gone = await reader.Http.GetAsync($"/media/{(await FirstEventId(reader))}/clip.mp4");
        var body = await gone.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, gone.StatusCode);
        Assert.Contains(writerUrl, body);
    }

    [Fact]
    public async Task A_node_never_proxies_to_itself_when_its_own_event_has_lost_its_files()
    {
        await using var node = await TestNode.StartAsync(_redis);
        var registered = await node.RegisterAsync("camera-self-" + Guid.NewGuid().ToString("N")[..6]);
        var id = registered.EventId;
        var own = await node.GetJsonAsync($"/api/events/{id}");
        Assert.Equal(node.BaseAddress.ToString().TrimEnd('/'), own.GetProperty("node").GetString());

        Directory.Delete(Path.GetDirectoryName(registered.VideoPath!)!, recursive: true);

        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync($"/media/{id}/clip.mp4")).StatusCode);
        var after = await node.GetJsonAsync($"/api/events/{id}");
        Assert.False(after.TryGetProperty("clip_url", out _), "no clip_url for files no node holds");
    }

    [Fact]
    public async Task A_writing_node_that_accepts_but_never_answers_is_a_503_after_the_proxy_timeout_and_an_event_naming_no_node_is_404()
    {
        await using var node = await TestNode.StartAsync(_redis, "registrator.http.proxy-timeout = 1s");
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var silentUrl = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        var remote = Guid.NewGuid();
        var python = Guid.NewGuid();
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.Endpoint))
        {
            var db = redis.GetDatabase();
            await db.SortedSetAddAsync(node.EventsKey, Member("cam-remote", remote, silentUrl), 1_796_000_000.5);
            await db.SortedSetAddAsync(node.EventsKey, Member("cam-python", python, node: null), 1_796_000_001.5);
        }

        var listed = await node.GetJsonAsync($"/api/events/{remote}");
        var started = DateTime.UtcNow;
        using var timedOut = await node.Http.GetAsync($"/media/{remote}/clip.mp4");
        var waited = DateTime.UtcNow - started;
        var body = await timedOut.Content.ReadAsStringAsync();

        Assert.Equal($"/media/{remote}/clip.mp4", listed.GetProperty("clip_url").GetString());
        Assert.False(listed.TryGetProperty("keyframe_url", out _), "the member names no keyframe");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.StatusCode);
        Assert.Contains(silentUrl, body);
        Assert.InRange(waited, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync($"/media/{remote}/keyframe.jpg")).StatusCode);
        // The Python module's members name no node: their files are served only where they are.
        Assert.False((await node.GetJsonAsync($"/api/events/{python}")).TryGetProperty("clip_url", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync($"/media/{python}/clip.mp4")).StatusCode);
    }

    /// <summary>
    /// A node that came back on another address (a new pod IP) still holds its files under the same node_id: the member
    /// names the old URL, and the other nodes find the current one by the id (registrator:node-urls).
    /// </summary>
    [Fact]
    public async Task A_clip_whose_member_names_an_old_address_is_proxied_to_where_its_node_id_serves_now()
    {
        var eventsKey = "events-" + Guid.NewGuid().ToString("N")[..12];
        await using var writer = await TestNode.StartAsync(_redis, eventsKey: eventsKey);
        await using var reader = await TestNode.StartAsync(_redis, eventsKey: eventsKey);
        var registered = await writer.RegisterAsync("camera-moved-" + Guid.NewGuid().ToString("N")[..6]);
        var id = registered.EventId;
        var writerId = Registrator.Actors.EventStore.NodeName.Resolve(null, writer.OutputPath);
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.Endpoint))
        {
            // As the member reads after its node restarted elsewhere: the address it had, nobody there now.
            var db = redis.GetDatabase();
            var member = (await db.SortedSetRangeByRankAsync(eventsKey)).Single().ToString();
            var moved = member.Replace(writer.BaseAddress.ToString().TrimEnd('/'), "http://127.0.0.1:9", StringComparison.Ordinal);
            Assert.Contains(writerId, moved);
            await db.SortedSetRemoveAsync(eventsKey, member);
            await db.HashSetAsync(eventsKey + ":by-id", id.ToString("D"), moved);
            await db.SortedSetAddAsync(eventsKey, moved, registered.Timestamp);
        }

        var file = await File.ReadAllBytesAsync(registered.VideoPath!);
        await Poll.UntilAsync(async () =>
        {
            using var proxied = await reader.Http.GetAsync($"/media/{id}/clip.mp4");
            Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
            Assert.Equal(file, await proxied.Content.ReadAsByteArrayAsync());
        }, TimeSpan.FromSeconds(30));
    }

    private static string Member(string key, Guid id, string? node) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            [key] = new Dictionary<string, object?>
            {
                ["message"] = new { model = "YOLOModel" },
                ["video_proofs"] = $"/elsewhere/{id}/{id}.mp4",
                ["image_proof_path"] = null,
                ["event_id"] = id.ToString("D"),
                ["timestamp"] = 1_796_000_000.5,
                ["node"] = node,
            },
        });

    private static async Task<string> FirstEventId(TestNode node)
    {
        var listed = await node.GetJsonAsync("/api/events");
        return Assert.Single(listed.GetProperty("events").EnumerateArray()).GetProperty("event_id").GetString()!;
    }
}
