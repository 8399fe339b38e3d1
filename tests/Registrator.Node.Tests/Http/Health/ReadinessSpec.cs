using System.Net;
using System.Text.Json;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http.Health;

/// <summary><c>/health/live</c> and <c>/health/ready</c> of a node whose NATS server comes up after the node.</summary>
public sealed class ReadinessSpec : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;

    public ReadinessSpec(RedisServer redis) => _redis = redis;

    [Fact]
    public async Task Ready_is_503_naming_NATS_while_NATS_is_down_and_200_once_it_is_up()
    {
        using var nats = NatsServer.Reserve();
        await using var node = await TestNode.StartAsync(_redis, natsUrl: nats.Url);
        Assert.Equal("live", (await node.GetJsonAsync("/health/live")).GetProperty("status").GetString());

        // Cluster and Redis are fine from the start; NATS alone is missing.
        JsonElement down = default;
        await Poll.UntilAsync(async () =>
        {
            down = await node.GetJsonAsync("/health/ready", HttpStatusCode.ServiceUnavailable);
            Assert.Equal(["nats"], down.GetProperty("failing").EnumerateArray().Select(f => f.GetString()));
        });
        Assert.Equal("not ready", down.GetProperty("status").GetString());
        Assert.Contains(nats.Url, down.GetProperty("checks").GetProperty("nats").GetProperty("detail").GetString());
        Assert.True(down.GetProperty("checks").GetProperty("cluster").GetProperty("ok").GetBoolean());
        Assert.True(down.GetProperty("checks").GetProperty("redis").GetProperty("ok").GetBoolean());

        nats.Run();

        await Poll.UntilAsync(async () =>
        {
            var up = await node.GetJsonAsync("/health/ready");
            Assert.Equal("ready", up.GetProperty("status").GetString());
            Assert.Empty(up.GetProperty("failing").EnumerateArray());
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Ready_is_503_naming_Redis_when_Redis_stops_and_live_stays_200()
    {
        await using var redis = await RedisServer.StartNewAsync();
        using var nats = NatsServer.Start();
        await using var node = await TestNode.StartAsync(redis, natsUrl: nats.Url);
        await Poll.UntilAsync(() => node.GetJsonAsync("/health/ready"), TimeSpan.FromSeconds(30));

        await redis.StopAsync();

        await Poll.UntilAsync(async () =>
        {
            var down = await node.GetJsonAsync("/health/ready", HttpStatusCode.ServiceUnavailable);
            Assert.Equal(["redis"], down.GetProperty("failing").EnumerateArray().Select(f => f.GetString()));
        }, TimeSpan.FromSeconds(30));
        await node.GetJsonAsync("/health/live");
        var error = await node.GetJsonAsync("/api/events", HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Redis", error.GetProperty("error").GetString());
    }
}
