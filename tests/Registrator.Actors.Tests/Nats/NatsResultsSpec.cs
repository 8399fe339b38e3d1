using Akka.Actor;
using Registrator.Actors.Nats;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Nats;

public sealed class NatsResultsSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    [Fact]
    public async Task A_result_with_detected_true_adds_a_true_status_and_keeps_the_message()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        var message = Result(key, detected: true, scores: [0.1]);

        await PublishResultAsync(message);

        await AwaitAssertAsync(async () =>
        {
            var snapshot = await SnapshotAsync(key);
            Assert.Equal(new[] { true }, snapshot.Statuses.ToArray());
            Assert.Equal(message, snapshot.LatestMessageJson);
        });
    }

    [Theory]
    [InlineData(new[] { 0.2, 0.5 }, true)]
    [InlineData(new[] { 0.97 }, true)]
    [InlineData(new[] { 0.1, 0.49 }, false)]
    [InlineData(new double[0], false)]
    public async Task Without_detected_a_result_is_a_detection_when_any_score_reaches_min_score(double[] scores, bool expected)
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();

        await PublishResultAsync(Result(key, scores: scores));

        await AwaitAssertAsync(async () => Assert.Equal(new[] { expected }, await StatusesAsync(key)));
    }

    [Fact]
    public async Task Detected_false_wins_over_high_scores()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();

        await PublishResultAsync(Result(key, detected: false, scores: [0.99]));

        await AwaitAssertAsync(async () => Assert.Equal(new[] { false }, await StatusesAsync(key)));
    }

    [Fact]
    public async Task Statuses_of_one_key_arrive_in_the_order_they_were_published()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        var flags = Enumerable.Range(0, 60).Select(i => i % 3 == 0).ToArray();

        foreach (var flag in flags) await PublishResultAsync(Result(key, detected: flag));

        await AwaitAssertAsync(async () => Assert.Equal(flags, (await SnapshotAsync(key)).Statuses.ToArray()));
    }

    [Fact]
    public async Task Two_hundred_thousand_results_over_a_thousand_keys_all_arrive_each_key_in_order()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        const int keys = 1000, perKey = 200;
        var prefix = NewKey() + "-";
        // Key k's statuses start with (k % 2 == 0) and alternate, so each key ends in a tie: most_common is then the
        // first status, which only holds if the key's statuses kept their order through the slices.
        var payloads = Enumerable.Range(0, keys * perKey).Select(i => System.Text.Encoding.UTF8.GetBytes(
            Result(prefix + (i % keys), detected: ((i / keys) + (i % keys)) % 2 == 0))).ToArray();

        foreach (var payload in payloads) await Publisher.PublishAsync(Nats.ResultsSubject, payload);

        await AwaitAssertAsync(async () =>
        {
            var counts = await Task.WhenAll(Enumerable.Range(0, keys).Select(async k => (await SnapshotAsync(prefix + k)).Statuses.Length));
            Assert.Equal(keys * perKey, counts.Sum());
        }, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(1));
        for (var k = 0; k < keys; k += 37)
        {
            var statuses = await StatusesAsync(prefix + k);
            Assert.Equal(Enumerable.Range(0, perKey).Select(j => (j + k) % 2 == 0), statuses);
            var mostCommon = await Region.Ask<TaskReplies.MostCommon>(new TaskQueries.GetMostCommon(prefix + k), TimeSpan.FromSeconds(10));
            Assert.Equal(k % 2 == 0, mostCommon.Value);
            // The key's last result, verbatim: its bytes lay in a chunk the bridge reused many times over (20 MB of bodies).
            Assert.Equal(System.Text.Encoding.UTF8.GetString(payloads[((perKey - 1) * keys) + k]), (await SnapshotAsync(prefix + k)).LatestMessageJson);
        }
        Assert.Equal(0, Counters.Total);
    }

    [Fact]
    public async Task The_key_field_is_configurable()
    {
        StartBridge(Nats with { KeyField = "camera" });
        await AwaitAssertAsync(async () => Assert.True((await RequestAsync("""{"command":"get","key":"x"}""", TimeSpan.FromMilliseconds(500))).GetProperty("ok").GetBoolean()));
        var key = NewKey();

        await AwaitAssertAsync(async () =>
        {
            await PublishResultAsync($$"""{"camera":"{{key}}","detected":true}""");
            Assert.NotEmpty((await SnapshotAsync(key)).Statuses);
        });
        Assert.Equal(0, Counters[BadInputReason.MissingKey]);
    }

    [Fact]
    public async Task Two_bridges_in_one_queue_group_handle_each_result_once()
    {
        StartBridge();
        StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();

        for (var i = 0; i < 40; i++) await PublishResultAsync(Result(key, detected: true));

        await AwaitAssertAsync(async () => Assert.Equal(40, (await SnapshotAsync(key)).Statuses.Length));
    }
}
