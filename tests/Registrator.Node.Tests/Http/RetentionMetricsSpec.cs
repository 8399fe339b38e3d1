using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.Redis;
using Registrator.Node.Tests.Support;
using static Registrator.Node.Tests.Support.PrometheusText;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// Retention in a whole node as <c>registrator run</c> starts it: the node heartbeats under the name kept in its
/// TMP_PATH, names itself in its events, deletes its expired files, and counts it all on <c>/metrics</c>.
/// </summary>
public sealed class RetentionMetricsSpec(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_node_names_itself_in_its_events_deletes_them_when_they_expire_and_counts_it_on_metrics()
    {
        await using var node = await TestNode.StartAsync(redis, """
            registrator.events.retention { interval = 300ms, max-age = 4s, heartbeat-interval = 200ms }
            """);
        using var client = await redis.ConnectAsync();
        var database = client.GetDatabase();
        var nodeId = (await File.ReadAllTextAsync(Path.Combine(node.OutputPath, NodeName.FileName))).Trim();
        await Poll.UntilAsync(async () => Assert.True(await database.HashExistsAsync(RedisKeys.Nodes, nodeId)));

        var registered = await node.RegisterAsync("retained-camera", frames: 12);
        var member = EventMember.Read((byte[])(await database.SortedSetRangeByRankAsync(node.EventsKey)).Single()!);
        Assert.Equal((registered.EventId, nodeId), (member.EventId!.Value, member.NodeId));
        Assert.True(File.Exists(registered.VideoPath));

        await Poll.UntilAsync(async () =>
        {
            Assert.Equal(0, await database.SortedSetLengthAsync(node.EventsKey));
            Assert.False(File.Exists(registered.VideoPath));
            Assert.False(File.Exists(registered.ImagePath));
            var metrics = await ScrapeAsync(node);
            Assert.Equal(2, Value(metrics, "registrator_retention_files_deleted_total"));
            Assert.Equal(1, Value(metrics, "registrator_retention_events_removed_total", ("reason", "expired")));
            Assert.Contains(metrics, s => s.Name == "registrator_retention_events_waiting" && s.Value == 0);
        }, TimeSpan.FromSeconds(40));
        Assert.False(Directory.Exists(Path.GetDirectoryName(registered.VideoPath)));
    }

    private static async Task<IReadOnlyList<Sample>> ScrapeAsync(TestNode node)
    {
        using var response = await node.Http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsStringAsync());
    }
}
