using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Contracts;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// <c>GET /api/tasks</c> on a cluster of two registrator nodes and one without the role (a shard-region proxy), in one
/// process, each with its own ports and media folder: every live task of both, each with the node that hosts it, read
/// the same through a region and through a proxy, and no task created by reading.
/// </summary>
public sealed class TasksApiSpec : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;

    public TasksApiSpec(RedisServer redis) => _redis = redis;

    [Fact]
    public async Task Tasks_of_every_node_are_listed_with_the_node_that_hosts_each_and_listing_creates_none()
    {
        await using var first = await TestNode.StartAsync(_redis);
        var seed = Akka.Cluster.Cluster.Get(first.ActorSystem).SelfAddress;
        await using var second = await TestNode.StartAsync(_redis, $"akka.cluster.seed-nodes = [\"{seed}\"]", eventsKey: first.EventsKey);
        await using var viewer = await TestNode.StartAsync(_redis, $"akka.cluster.seed-nodes = [\"{seed}\"]\nakka.cluster.roles = [\"viewer\"]", eventsKey: first.EventsKey);
        Assert.DoesNotContain(RegistratorCluster.Role, Akka.Cluster.Cluster.Get(viewer.ActorSystem).SelfRoles);
        // Both regions registered with the coordinator: new shards go to either.
        await Poll.UntilAsync(async () =>
            Assert.Equal(2, (await first.Region.Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(5))).Regions.Count),
            TimeSpan.FromSeconds(30));
        var keys = Enumerable.Range(0, 8).Select(i => $"api-{i}-{Guid.NewGuid().ToString("N")[..6]}").ToArray();
        foreach (var key in keys) await EventsPageSpec.FeedAsync(first, key, from: 0, count: 3);
        foreach (var key in keys) await EventsPageSpec.AwaitFramesAsync(first, key, 3);
        var nodes = new[] { first, second };

        // What each node's own region holds is where the listing must say each task runs.
        Dictionary<string, (string Url, string Address)> hosted = [];
        await Poll.UntilAsync(async () =>
        {
            hosted = await HostedAsync(nodes);
            foreach (var reader in new[] { second, viewer })
            {
                var listed = Listed(await reader.GetJsonAsync("/api/tasks"));
                Assert.Equal(hosted.OrderBy(h => h.Key, StringComparer.Ordinal), listed.OrderBy(l => l.Key, StringComparer.Ordinal));
            }
        }, TimeSpan.FromSeconds(30));

        Assert.All(keys, key => Assert.Contains(key, hosted.Keys));
        Assert.Equal(2, keys.Select(k => hosted[k].Url).Distinct().Count());
        var task = (await first.GetJsonAsync("/api/tasks")).GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("key").GetString() == keys[0]);
        Assert.Equal(("PENDING", 3, 3, 0.3), (task.GetProperty("state").GetString(), task.GetProperty("frame_count").GetInt32(),
            task.GetProperty("statuses").GetArrayLength(), task.GetProperty("buffered_seconds").GetDouble()));
        Assert.Equal(0, task.GetProperty("registrations").GetArrayLength());
        var regions = (await first.GetJsonAsync("/api/tasks")).GetProperty("regions").EnumerateArray().ToArray();
        Assert.Equal(nodes.Select(Url).Order(StringComparer.Ordinal), regions.Select(r => r.GetProperty("node").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(regions, r => Assert.True(r.GetProperty("answered").GetBoolean()));

        // Reading asks entities at their paths, never through the region: the entities are the same after as before.
        var before = (await HostedAsync(nodes)).Keys.Order(StringComparer.Ordinal).ToArray();
        foreach (var node in nodes.Append(viewer)) await node.GetJsonAsync("/api/tasks");
        var limited = await first.GetJsonAsync("/api/tasks?limit=2");
        Assert.Equal(2, limited.GetProperty("tasks").GetArrayLength());
        Assert.Equal(before.Length, limited.GetProperty("total").GetInt32());
        Assert.Equal(before, (await HostedAsync(nodes)).Keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("limit=many")]
    public async Task A_malformed_limit_is_a_400(string query)
    {
        await using var node = await TestNode.StartAsync(_redis);

        var error = await node.GetJsonAsync("/api/tasks?" + query, System.Net.HttpStatusCode.BadRequest);

        Assert.Contains("limit", error.GetProperty("error").GetString());
    }

    private static string Url(TestNode node) => node.BaseAddress.ToString().TrimEnd('/');

    /// <summary>Each live entity's key with the URL and cluster address of the node whose region holds it.</summary>
    private static async Task<Dictionary<string, (string Url, string Address)>> HostedAsync(IEnumerable<TestNode> nodes)
    {
        var hosted = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var state = await node.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
            var address = Akka.Cluster.Cluster.Get(node.ActorSystem).SelfAddress.ToString();
            foreach (var id in state.Shards.SelectMany(s => s.EntityIds)) hosted[id] = (Url(node), address);
        }
        return hosted;
    }

    private static Dictionary<string, (string Url, string Address)> Listed(JsonElement body) =>
        body.GetProperty("tasks").EnumerateArray().ToDictionary(
            t => t.GetProperty("key").GetString()!,
            t => (t.GetProperty("node").GetString() ?? "(none)", t.GetProperty("node_address").GetString()!),
            StringComparer.Ordinal);
}
