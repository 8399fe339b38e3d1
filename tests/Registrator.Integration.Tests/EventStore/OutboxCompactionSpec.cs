using Akka.Actor;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.Redis;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>
/// The outbox under steady load: the queue never drains (new events keep arriving while older ones are written), so
/// only compaction (compact-after done lines) keeps the file bounded; and a store stopped after compactions, with
/// events still in the file, leaves an outbox the next store delivers exactly once.
/// </summary>
public sealed class OutboxCompactionSpec(RedisServer redis, ITestOutputHelper output)
    : EventStoreSpec(redis, output, """
        registrator.events.compact-after = 40
        registrator.events.max-queued = 25
        """), IClassFixture<RedisServer>
{
    private const int InFlight = 60;
    private const int Total = 1500;

    [Fact]
    public async Task Under_steady_load_the_outbox_file_stays_bounded()
    {
        var store = StartStore();
        var replyTo = CreateTestProbe();
        var sent = 0;
        long largest = 0, largestLine = 0;
        void Send()
        {
            var e = NewEvent(taskKey: "camera-" + sent % 8);
            // An add line holds the member, the message and the paths, escaped as strings: well under 3× the member.
            largestLine = Math.Max(largestLine, 3L * EventMember.Build(e).Length + 400);
            store.Tell(new RecordEvent(e, replyTo.Ref), ActorRefs.Nobody);
            sent++;
        }
        // A fixed number of events outstanding at all times: each registration lets one more in.
        for (var i = 0; i < InFlight; i++) Send();
        for (var registered = 0; registered < Total; registered++)
        {
            await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(30));
            largest = Math.Max(largest, File.Exists(OutboxFile) ? new FileInfo(OutboxFile).Length : 0);
            if (sent < Total) Send();
        }

        // Without compaction the file would hold every add and done line until the very end: ~Total × 2 lines.
        // With it: the events outstanding, the done lines since the last compaction, and what arrived meanwhile.
        var bound = (InFlight + 2 * 40 + 100) * largestLine;
        Assert.True(largest <= bound, $"outbox grew to {largest} bytes (bound {bound}; {Total} events of at most {largestLine} bytes a line)");
        await AwaitAssertAsync(() => Assert.Equal(0, new FileInfo(OutboxFile).Length), TimeSpan.FromSeconds(10));
        Assert.Equal(Total, (await MembersAsync()).Length);
        // Spilled events read back after compactions moved them: none lost (above), none announced twice.
        replyTo.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_store_stopped_with_events_in_a_compacted_outbox_is_followed_by_one_that_delivers_each_once()
    {
        var first = Enumerable.Range(0, 120).Select(_ => NewEvent()).ToArray();
        var left = Enumerable.Range(0, 50).Select(_ => NewEvent()).ToArray();
        var node = NewSystem(Redis.Port);
        try
        {
            var registered = CreateTestProbe(node);
            node.EventStream.Subscribe(registered.Ref, typeof(TaskEvents.EventRegistered));
            var store = StartStore(node);
            foreach (var e in first) store.Tell(new RecordEvent(e, ActorRefs.Nobody), ActorRefs.NoSender);
            foreach (var e in first) await registered.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(30));
            // Redis away: the rest wait in the outbox (window of 25 in memory, the others spilled) when the node stops.
            await Redis.StopAsync();
            foreach (var e in left) store.Tell(new RecordEvent(e, ActorRefs.Nobody), TestActor);
            foreach (var e in left) await ExpectMsgAsync<EventAccepted>(a => a.EventId == e.EventId);
        }
        finally
        {
            await node.Terminate();
            await Redis.StartAsync();
        }
        var stream = CreateTestProbe();
        Sys.EventStream.Subscribe(stream.Ref, typeof(TaskEvents.EventRegistered));

        StartStore();

        foreach (var e in left) await stream.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(60));
        var members = (await MembersAsync()).Select(m => EventIndex.Identify((byte[])m.Element!).EventId!.Value).ToList();
        Assert.Equal(first.Concat(left).Select(e => e.EventId).Order(), members.Order());
        stream.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
