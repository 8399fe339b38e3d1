using Registrator.Actors.Nats;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Nats;

/// <summary>
/// A publisher far faster than the tasks (one million results, published as fast as the client can): nats-server
/// must not cut the bridge off as a slow consumer, and if it ever does, the loss is counted, never silent.
/// </summary>
public sealed class NatsFastPublisherSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    private readonly ITestOutputHelper _output = output;

    [Fact]
    public async Task A_million_results_published_at_full_speed_all_reach_their_tasks_or_the_loss_is_counted()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        const int keys = 1000, perKey = 1000;
        var prefix = NewKey() + "-";
        var payloads = Enumerable.Range(0, keys).Select(k => System.Text.Encoding.UTF8.GetBytes(Result(prefix + k, detected: k % 2 == 0))).ToArray();

        var publishing = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < perKey; round++)
            foreach (var payload in payloads)
                await Publisher.PublishAsync(Nats.ResultsSubject, payload);
        await Publisher.PingAsync();
        // For the record, not asserted: how fast "as fast as the client can" was on this machine.
        _output.WriteLine($"published {keys * perKey:N0} results in {publishing.Elapsed.TotalSeconds:F2} s ({keys * perKey / publishing.Elapsed.TotalSeconds:N0}/s)");

        var counted = 0L;
        await AwaitAssertAsync(async () =>
        {
            var counts = await Task.WhenAll(Enumerable.Range(0, keys).Select(async k => (await SnapshotAsync(prefix + k)).Statuses.Length));
            counted = counts.Sum(c => (long)c);
            Assert.True(counted == keys * perKey || Lost() > 0, $"{counted:N0} statuses counted, no loss reported yet");
        }, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(2));
        foreach (var line in Server.Output.Split('\n').Where(l => l.Contains("Slow Consumer", StringComparison.OrdinalIgnoreCase)).Take(5))
            _output.WriteLine("nats-server: " + line);

        // Every status arrived, or what did not is accounted for as a connection problem (and logged). On a quiet
        // machine it is the former: results-pending-capacity takes the burst off the socket while the tasks catch up;
        // a machine so loaded that the node stays under ~35k results/s for 10 s can still be cut off, which is counted.
        _output.WriteLine($"{counted:N0} of {keys * perKey:N0} statuses counted; results connection problems: {Lost()}");
        Assert.True(counted == keys * perKey || Lost() > 0);
        if (Lost() == 0) Assert.Equal(0, Counters.Total);
    }

    private long Lost() =>
        Connectivity.Problems("results", NatsConnectivity.Disconnected) + Connectivity.Problems("results", NatsConnectivity.SlowConsumer);
}
