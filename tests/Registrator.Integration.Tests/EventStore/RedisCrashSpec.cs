using Registrator.Actors.Configuration;
using Registrator.Actors.EventStore;
using Registrator.Actors.Redis;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>
/// redis-server SIGKILLed (no shutdown, appendonly on) in the middle of a run of registrations and started again on
/// its data folder: every event ends in Redis exactly once, with its index entries. This class's server is its own.
/// </summary>
public sealed class RedisCrashSpec(RedisServer redis, ITestOutputHelper output) : EventStoreSpec(redis, output), IClassFixture<RedisServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Redis_killed_during_20_registrations_and_restarted_ends_with_each_event_exactly_once()
    {
        // With everysec Redis may answer a write whose AOF write it postponed (an fsync in progress): a SIGKILL then
        // loses what it acknowledged. Always makes Redis's side durable, so what this test sees is the store's.
        using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{Redis.Endpoint},allowAdmin=true"))
            await admin.GetDatabase().ExecuteAsync("CONFIG", "SET", "appendfsync", "always");
        var replyTo = CreateTestProbe();
        var events = Enumerable.Range(0, 20).Select(i => NewEvent(taskKey: "camera-" + i % 4)).ToArray();
        var store = StartStore();
        var registered = new List<Guid>();
        try
        {
            for (var i = 0; i < events.Length; i++)
            {
                store.Tell(new RecordEvent(events[i], replyTo.Ref), TestActor);
                await ExpectMsgAsync<EventAccepted>(a => a.EventId == events[i].EventId);
                if (i == 7)
                {
                    // The first eight are in Redis (and its append-only file) before the crash.
                    while (registered.Count < 8) registered.Add((await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(Patience)).EventId);
                    await Redis.KillAsync();
                }
            }
        }
        finally
        {
            await Redis.StartAsync();
        }

        while (registered.Count < events.Length) registered.Add((await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(Patience)).EventId);
        Assert.Equal(events.Select(e => e.EventId), registered);
        var members = (await MembersAsync()).Select(m => EventIndex.Identify((byte[])m.Element!).EventId!.Value).ToList();
        Assert.Equal(events.Select(e => e.EventId).Order(), members.Order());
        var keys = RegistratorSettings.Defaults.Events.Keys with { SortedSet = EventsKey };
        Assert.Equal(events.Length, await (await ClientAsync()).HashLengthAsync(keys.EventsById));
        replyTo.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
