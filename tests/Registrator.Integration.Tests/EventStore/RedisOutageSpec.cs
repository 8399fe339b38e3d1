using Akka.Actor;
using Registrator.Actors.EventStore;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>
/// The event store while its redis-server is stopped (SIGTERM) and started again on the same port and data folder.
/// This class's server is its own: its tests stop it. The in-memory queue is bounded at 20 so that an outage of 50
/// events also exercises events that wait only in the outbox file.
/// </summary>
public sealed class RedisOutageSpec(RedisServer redis, ITestOutputHelper output)
    : EventStoreSpec(redis, output, "registrator.events.max-queued = 20"), IClassFixture<RedisServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Events_recorded_while_redis_is_down_arrive_once_when_it_returns()
    {
        var replyTo = CreateTestProbe();
        var events = Enumerable.Range(0, 50).Select(i => NewEvent(taskKey: "camera-" + i % 5)).ToArray();
        await Redis.StopAsync();
        try
        {
            // Redis stays down until the store has seen a write fail: the retry path, not a lucky first attempt, delivers.
            await EventFilter.Warning(contains: "did not take event").ExpectOneAsync(Patience, async () =>
            {
                var store = StartStore();
                foreach (var e in events) store.Tell(new RecordEvent(e, replyTo.Ref), TestActor);
                var accepted = new List<Guid>();
                for (var i = 0; i < events.Length; i++) accepted.Add((await ExpectMsgAsync<EventAccepted>(TimeSpan.FromSeconds(10))).EventId);
                Assert.Equal(events.Select(e => e.EventId), accepted);
                Assert.Equal(events.Length, (await File.ReadAllLinesAsync(OutboxFile)).Length);
            });
        }
        finally
        {
            await Redis.StartAsync();
        }

        var registered = new List<Guid>();
        for (var i = 0; i < events.Length; i++)
            registered.Add((await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(Patience)).EventId);
        Assert.Equal(events.Select(e => e.EventId), registered);
        var members = await MembersAsync();
        Assert.Equal(events.Length, members.Length);
        Assert.Equal(events.Select(e => e.EventId).Order(), members.Select(m => EventIdOf((string)m.Element!)).Order());
        await AwaitAssertAsync(() => Assert.Equal(0, new FileInfo(OutboxFile).Length), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Events_recorded_before_a_node_restart_during_an_outage_arrive_once_when_redis_returns()
    {
        var delivered = Enumerable.Range(0, 5).Select(_ => NewEvent()).ToArray();
        var waiting = Enumerable.Range(0, 25).Select(_ => NewEvent()).ToArray();
        var node = NewSystem(Redis.Port);
        try
        {
            var store = StartStore(node);
            var replyTo = CreateTestProbe();
            foreach (var e in delivered) store.Tell(new RecordEvent(e, replyTo.Ref), TestActor);
            foreach (var e in delivered) await ExpectMsgAsync<EventAccepted>(a => a.EventId == e.EventId);
            foreach (var e in delivered) await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, Patience);
            await Redis.StopAsync();
            foreach (var e in waiting) store.Tell(new RecordEvent(e, ActorRefs.Nobody), TestActor);
            foreach (var e in waiting) await ExpectMsgAsync<EventAccepted>(a => a.EventId == e.EventId);
        }
        finally
        {
            await node.Terminate();
            await Redis.StartAsync();
        }
        var stream = CreateTestProbe();
        Sys.EventStream.Subscribe(stream.Ref, typeof(TaskEvents.EventRegistered));

        StartStore();

        // The first event the new store announces is the first that was waiting: nothing delivered before is repeated.
        foreach (var e in waiting)
            await stream.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, Patience);
        var members = await MembersAsync();
        Assert.Equal(delivered.Concat(waiting).Select(e => e.EventId).Order(), members.Select(m => EventIdOf((string)m.Element!)).Order());
    }

    private static Guid EventIdOf(string member)
    {
        using var document = System.Text.Json.JsonDocument.Parse(member);
        var task = Assert.Single(document.RootElement.EnumerateObject());
        return Guid.Parse(task.Value.GetProperty("event_id").GetString()!);
    }
}
