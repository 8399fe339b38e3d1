using Akka;
using Akka.Actor;
using NATS.Client.Core;
using Registrator.Actors.Nats;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Nats;

/// <summary>What CoordinatedShutdown's service-unbind phase relies on: a drained bridge has handed its tasks everything the server sent it.</summary>
public sealed class NatsDrainSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    [Fact]
    public async Task Draining_delivers_every_result_already_sent_and_leaves_the_subjects_to_other_nodes()
    {
        var bridge = StartBridge();
        await AwaitBridgeReadyAsync();
        var key = NewKey();
        const int results = 2_000;
        for (var i = 0; i < results; i++) await PublishResultAsync(Result(key, detected: i % 3 == 0));
        // The server has every result before it sees the bridge's unsubscribe: all were sent to the bridge.
        await Publisher.PingAsync();

        await bridge.Ask<Done>(NatsBridge.Drain.Instance, TimeSpan.FromSeconds(30));

        Assert.Equal(results, (await StatusesAsync(key)).Length);
        // The commands subscription is gone from the server: a request finds no one to answer it.
        await Assert.ThrowsAsync<NatsNoRespondersException>(() => RequestAsync($$"""{"command":"get","key":"{{key}}"}"""));
        Assert.Equal(0, Counters.Total);
    }
}
