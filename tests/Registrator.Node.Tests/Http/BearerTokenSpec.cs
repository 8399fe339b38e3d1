using System.Net;
using System.Net.Http.Headers;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http;

/// <summary>With <c>registrator.http.token</c> set, /api and /media need it; the page, health and metrics stay open.</summary>
public sealed class BearerTokenSpec : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Token = "s3cret-Token_42";

    private readonly RedisServer _redis;
    private TestNode _node = null!;

    public BearerTokenSpec(RedisServer redis) => _redis = redis;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(_redis, $"registrator.http.token = \"{Token}\"");

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Without_the_token_api_and_media_answer_401_while_the_page_health_and_metrics_stay_open()
    {
        var id = Guid.NewGuid();
        foreach (var path in new[] { "/api/events", $"/api/events/{id}", "/api/events/stream", "/api/keys", "/api/tasks", "/api/tasks/x", $"/media/{id}/clip.mp4", "/API/events", "/nowhere" })
        {
            using var response = await _node.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: expected 401, got {(int)response.StatusCode}");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        // Spellings HttpClient would rewrite, sent as they are.
        foreach (var target in new[] { "//api/events", "/./api/events", "/health/../api/events", "/health/%2e%2e/api/events" })
            Assert.Equal(401, (await RawHttp.GetAsync(_node.BaseAddress, target)).Status);
        foreach (var path in new[] { "/", "/assets/app.js", "/health/live", "/metrics" })
            Assert.Equal(HttpStatusCode.OK, (await _node.Http.GetAsync(path)).StatusCode);
        // Ready answers too (503 while NATS is down here): what matters is that it is not 401.
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await _node.Http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_like_none()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");

        Assert.Equal(HttpStatusCode.Unauthorized, (await _node.Http.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _node.Http.GetAsync("/api/events?token=" + Uri.EscapeDataString(Token[..^1]))).StatusCode);
    }

    [Fact]
    public async Task The_token_is_accepted_as_a_bearer_header_or_as_a_query_parameter_for_media()
    {
        var registered = await _node.RegisterAsync("guarded-camera", frames: 12);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        using var list = await _node.Http.SendAsync(request);
        using var clip = await _node.Http.GetAsync($"/media/{registered.EventId}/clip.mp4?token={Uri.EscapeDataString(Token)}");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains(registered.EventId.ToString(), await list.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, clip.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(registered.VideoPath!), await clip.Content.ReadAsByteArrayAsync());
    }
}
