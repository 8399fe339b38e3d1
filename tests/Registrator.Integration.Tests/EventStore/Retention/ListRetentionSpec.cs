using Akka.Actor;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore.Retention;

/// <summary>Retention with <c>store = list</c>: every task's list (<c>custom_events:*</c>) and its id set (<c>custom_event_ids:*</c>) are trimmed together.</summary>
public sealed class ListRetentionSpec(RedisServer redis, ITestOutputHelper output)
    : EventStoreSpec(redis, output, """
        registrator.events.store = list
        registrator.events.retention.max-events = 2
        """), IClassFixture<RedisServer>
{
    private static readonly double EightDays = TimeSpan.FromDays(8).TotalSeconds;

    [Fact]
    public async Task Retention_trims_each_task_s_list_and_its_id_set_by_age_and_count()
    {
        var key = "camera-" + Guid.NewGuid().ToString("N")[..6];
        var expired = NewEvent(taskKey: key, timestamp: NowSeconds() - EightDays);
        var recent = Enumerable.Range(0, 3).Select(i => NewEvent(taskKey: key, timestamp: NowSeconds() - 30 + i)).ToArray();
        var otherKey = "camera-other-" + Guid.NewGuid().ToString("N")[..6];
        var other = NewEvent(taskKey: otherKey, timestamp: NowSeconds() - EightDays);
        var store = StartStore();
        var replyTo = CreateTestProbe();
        foreach (var e in new[] { expired, other }.Concat(recent)) store.Tell(new RecordEvent(e, replyTo.Ref), ActorRefs.NoSender);
        for (var i = 0; i < 5; i++) await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(30));
        var database = await ClientAsync();
        Assert.Equal(4, await database.ListLengthAsync("custom_events:" + key));
        var retention = StartRetention(store);

        retention.Tell(RunRetention.Instance, TestActor);

        var result = await ExpectMsgAsync<RetentionResult>(TimeSpan.FromSeconds(20));
        Assert.True(result.Removed >= 3, $"removed {result.Removed}");
        var kept = (await database.ListRangeAsync("custom_events:" + key)).Select(v => ListEventEntry.Read((byte[])v!).EventId).ToList();
        Assert.Equal([recent[2].EventId, recent[1].EventId], kept);
        Assert.Equal(kept.Select(id => id!.Value.ToString("D")).Order(), (await database.SetMembersAsync("custom_event_ids:" + key)).Select(v => (string)v!).Order());
        Assert.False(await database.KeyExistsAsync("custom_events:" + otherKey));
        Assert.False(await database.KeyExistsAsync("custom_event_ids:" + otherKey));
    }
}
