using System.Text;
using NATS.Client.Core;
using Registrator.Node.Tests.Support;
using static Registrator.Node.Tests.Support.PrometheusText;

namespace Registrator.Node.Tests.Http;

/// <summary><c>/metrics</c>: Prometheus text of the node's own meter, moving as the node works.</summary>
public sealed class MetricsSpec : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;

    public MetricsSpec(RedisServer redis) => _redis = redis;

    [Fact]
    public async Task Metrics_are_Prometheus_text_and_count_registrations_statuses_and_NATS_input()
    {
        using var nats = NatsServer.Start();
        await using var node = await TestNode.StartAsync(_redis, natsUrl: nats.Url);
        await using var client = new NatsConnection(new NatsOpts { Url = nats.Url });
        // Ready means connected; the subscriptions follow a moment later, and core NATS drops what nobody subscribed to.
        await Poll.UntilAsync(async () =>
        {
            await client.PublishAsync("inference.results", Encoding.UTF8.GetBytes("""{"key":"metered-warm-up","detected":false}"""));
            Assert.True(Value(await ScrapeAsync(node), "registrator_nats_messages_total", ("subject", "inference.results")) > 0);
        }, TimeSpan.FromSeconds(30));
        var before = await ScrapeAsync(node);
        Assert.Contains(before, s => s.Name == "registrator_frames_buffer_limit_bytes" && s.Value > 0);
        Assert.Contains(before, s => s.Name == "registrator_nats_bad_input_total" && s.Labels["reason"] == "invalid-json");

        var registered = await node.RegisterAsync("metered-camera", frames: 15);
        await client.PublishAsync("inference.results", Encoding.UTF8.GetBytes("{not json"));
        await client.PublishAsync("inference.results", Encoding.UTF8.GetBytes(
            """{"key":"metered-detector","model":"YOLOModel","result":{"boxes":[[1,2,3,4]],"scores":[0.9],"class_ids":[0]},"frame_id":1}"""));

        await Poll.UntilAsync(async () =>
        {
            var after = await ScrapeAsync(node);
            Assert.Equal(1, Delta(before, after, "registrator_events_registered_total", ("outcome", "finished")));
            Assert.Equal(1, Delta(before, after, "registrator_encode_duration_seconds_count"));
            Assert.True(Value(after, "registrator_encode_duration_seconds_sum") > 0);
            // At least: a warm-up message may still have been on its way when `before` was read.
            Assert.True(Delta(before, after, "registrator_nats_messages_total", ("subject", "inference.results")) >= 2);
            Assert.Equal(1, Delta(before, after, "registrator_nats_bad_input_total", ("reason", "invalid-json")));
            Assert.Equal(1, Delta(before, after, "registrator_statuses_total", ("detected", "true")));
            Assert.True(Value(after, "registrator_tasks_active") >= 3, "the warm-up, camera and detector tasks run on this node");
            Assert.Equal(0, Value(after, "registrator_outbox_depth"));
            Assert.Equal(0, Value(after, "registrator_frames_buffered_bytes"));
        }, TimeSpan.FromSeconds(30));
        Assert.NotNull(registered.VideoPath);
    }

    private static async Task<IReadOnlyList<Sample>> ScrapeAsync(TestNode node)
    {
        using var response = await node.Http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    private static double Delta(IReadOnlyList<Sample> before, IReadOnlyList<Sample> after, string name, params (string, string)[] labels) =>
        Value(after, name, labels) - Value(before, name, labels);
}
