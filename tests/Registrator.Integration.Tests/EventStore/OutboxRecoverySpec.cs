using Akka.Actor;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>
/// A node restarting on an outbox another node (an earlier run of it) left behind: what was accepted is delivered,
/// in order, once; what a crash or a bad disk damaged is skipped with a warning, never fatal.
/// </summary>
public sealed class OutboxRecoverySpec(RedisServer redis, ITestOutputHelper output) : EventStoreSpec(redis, output), IClassFixture<RedisServer>
{
    [Fact]
    public async Task Events_left_in_the_outbox_by_a_stopped_node_are_delivered_once_by_the_next()
    {
        var events = Enumerable.Range(0, 10).Select(_ => NewEvent()).ToArray();
        await LeaveInOutboxAsync(events);
        var stream = SubscribeToRegistered();

        StartStore();

        foreach (var e in events)
            await stream.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(30));
        Assert.Equal(events.Length, (await MembersAsync()).Length);
    }

    [Fact]
    public async Task An_event_written_before_a_crash_but_not_marked_done_is_not_stored_twice()
    {
        var e = NewEvent();
        await LeaveInOutboxAsync(e);
        // The disk as a crash right after the ZADD, before the "done" line, would leave it.
        var atCrash = await File.ReadAllBytesAsync(OutboxFile);
        await DeliverOnAnotherNodeAsync(e);
        await File.WriteAllBytesAsync(OutboxFile, atCrash);
        var stream = SubscribeToRegistered();

        StartStore();

        await stream.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(30));
        var entry = Assert.Single(await MembersAsync());
        Assert.Equal(EventMember.Build(e, new EventOrigin(null, NodeIdOf())), (string)entry.Element!);
    }

    [Fact]
    public async Task A_torn_last_line_in_the_outbox_is_skipped_with_a_warning_and_the_other_events_are_delivered()
    {
        var events = Enumerable.Range(0, 3).Select(_ => NewEvent()).ToArray();
        await LeaveInOutboxAsync(events);
        var lines = await File.ReadAllLinesAsync(OutboxFile);
        Assert.Equal(3, lines.Length);
        // A fourth append cut short by a crash: half a line, no line break.
        await File.AppendAllTextAsync(OutboxFile, lines[0][..(lines[0].Length / 2)]);
        var stream = SubscribeToRegistered();

        var store = await EventFilter.Warning(contains: "unreadable last line").ExpectOneAsync(TimeSpan.FromSeconds(10), () => Task.FromResult(StartStore()));

        foreach (var e in events)
            await stream.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(30));
        // The torn tail is gone, so the next event starts a line of its own and is delivered too.
        var next = NewEvent();
        store.Tell(new RecordEvent(next, ActorRefs.Nobody), TestActor);
        await ExpectMsgAsync<EventAccepted>(a => a.EventId == next.EventId);
        await stream.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == next.EventId, TimeSpan.FromSeconds(30));
        Assert.Equal(4, (await MembersAsync()).Length);
    }

    [Fact]
    public async Task A_corrupt_line_in_the_middle_of_the_outbox_is_skipped_with_a_warning()
    {
        var events = Enumerable.Range(0, 3).Select(_ => NewEvent()).ToArray();
        await LeaveInOutboxAsync(events);
        var lines = (await File.ReadAllLinesAsync(OutboxFile)).ToList();
        lines.Insert(1, """{"v":1,"op":"add","event_id":"not-a-uuid",""" + "\0\0\0");
        await File.WriteAllLinesAsync(OutboxFile, lines);
        var stream = SubscribeToRegistered();

        await EventFilter.Warning(contains: "skipped unreadable line 2").ExpectOneAsync(TimeSpan.FromSeconds(10), () => Task.FromResult(StartStore()));

        foreach (var e in events)
            await stream.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(30));
        Assert.Equal(3, (await MembersAsync()).Length);
    }

    [Fact]
    public async Task A_store_starts_and_accepts_events_while_redis_is_unreachable()
    {
        var node = NewSystem(UnreachablePort());
        try
        {
            var store = StartStore(node);
            var e = NewEvent();

            store.Tell(new RecordEvent(e, ActorRefs.Nobody), TestActor);

            await ExpectMsgAsync<EventAccepted>(a => a.EventId == e.EventId);
            Assert.Contains(e.EventId.ToString("D"), await File.ReadAllTextAsync(OutboxFile));
        }
        finally
        {
            await node.Terminate();
        }
    }

    private Akka.TestKit.TestProbe SubscribeToRegistered()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(TaskEvents.EventRegistered));
        return probe;
    }
}
