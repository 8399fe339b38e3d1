using Akka.Actor;
using Registrator.Actors.Nats;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Nats;

public sealed class NatsResilienceSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    [Fact]
    public async Task After_nats_server_restarts_the_bridge_reconnects_and_handles_later_messages()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var (before, after) = (NewKey(), NewKey());
        await PublishResultAsync(Result(before, detected: true));
        await AwaitAssertAsync(async () => Assert.NotEmpty((await SnapshotAsync(before)).Statuses));

        Server.Restart();
        await AwaitBridgeReadyAsync();
        await PublishResultAsync(Result(after, detected: false));

        await AwaitAssertAsync(async () => Assert.Equal(new[] { false }, await StatusesAsync(after)));
        Assert.Equal(0, Counters.Total);
    }
}

/// <summary>The bridge is one actor per subject: one that fails starts again on its own, with a fresh connection.</summary>
public sealed class NatsSubjectRestartSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    [Fact]
    public async Task A_subject_actor_that_fails_is_restarted_and_its_subject_flows_again_while_the_others_keep_working()
    {
        var bridge = StartBridge();
        await AwaitBridgeReadyAsync();
        var results = await Sys.ActorSelection(bridge.Path / "results").ResolveOne(TimeSpan.FromSeconds(5));
        Watch(results);

        results.Tell(Kill.Instance);

        // Restarted, not stopped: the same actor, and no Terminated for it.
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        await PublishResultAsync(Result(key, detected: true));
        await AwaitAssertAsync(async () => Assert.Equal(new[] { true }, await StatusesAsync(key)));
        AwaitAssert(() => Assert.True(Connectivity.AllOpen), TimeSpan.FromSeconds(10));
        Assert.Equal(0, Counters.Total);
    }
}

/// <summary>The node starts before nats-server: the bridge must not fail, and must connect once the server is up.</summary>
public sealed class NatsLateServerSpec(ITestOutputHelper output) : NatsBridgeSpec(output, serverRunning: false)
{
    [Fact]
    public async Task The_bridge_starts_while_nats_server_is_down_and_connects_when_it_comes_up()
    {
        var bridge = StartBridge();
        Watch(bridge);
        ExpectNoMsg(TimeSpan.FromMilliseconds(90)); // the bridge keeps running without a server

        Server.Run();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        await PublishResultAsync(Result(key, detected: true));

        await AwaitAssertAsync(async () => Assert.Equal(new[] { true }, await StatusesAsync(key)));
    }
}

/// <summary>Small buffers and few Asks in flight: a flood is held back by back-pressure, never dropped or buffered without bound.</summary>
public sealed class NatsFloodSpec(ITestOutputHelper output) : NatsBridgeSpec(output, """
    registrator.nats.pending-capacity = 16
    registrator.nats.parallelism = 4
    """)
{
    [Fact]
    public async Task A_flood_of_results_is_back_pressured_and_every_result_reaches_its_task()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        var keys = Enumerable.Range(0, 4).Select(_ => NewKey()).ToArray();
        const int perKey = 5_000;

        for (var i = 0; i < perKey; i++)
            foreach (var key in keys)
                await PublishResultAsync(Result(key, detected: i % 2 == 0));
        await Publisher.PingAsync();

        await AwaitAssertAsync(async () =>
        {
            foreach (var key in keys) Assert.Equal(perKey, (await SnapshotAsync(key)).Statuses.Length);
        }, TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(250));
        Assert.Equal(0, Counters.Total);
        Assert.Equal(0, Counters[BadInputReason.OverflowDropped]);
    }
}
