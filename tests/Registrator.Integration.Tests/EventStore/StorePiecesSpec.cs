using Akka.Actor;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Contracts;
using StackExchange.Redis;

// Redis errors built as the client builds them; see OutboxLocationSpec.
#pragma warning disable CS0618

namespace Registrator.Integration.Tests.EventStore;

/// <summary>The event store's pure pieces on their own: the outbox pump, the delivery state, the announcement.</summary>
public sealed class StorePiecesSpec
{
    private static PendingEvent Pending(string sink = SortedSetEventSink.SinkName)
    {
        var id = Guid.NewGuid();
        var e = new RegisteredEvent(id, "camera-1", """{"a":1}""", $"/tmp/{id}/{id}.mp4", $"/tmp/{id}/{id}.jpg", null, 1_700_000_000.5, new TaskStatistics(3, 3, true, 1));
        return new PendingEvent(e, sink, "events", e.Timestamp, EventMember.Build(e));
    }

    private static AcceptedEvent Accepted() => new(Pending(), ActorRefs.Nobody, ActorRefs.Nobody);

    [Fact]
    public void The_pump_appends_adds_after_done_lines_one_operation_at_a_time_and_puts_a_failed_one_back_in_order()
    {
        var pump = new OutboxPump(compactAfter: 100);
        var (a, b) = (Accepted(), Accepted());
        var done = Guid.NewGuid();
        pump.Add(a);
        pump.Done(done);

        var first = Assert.IsType<OutboxOperation.Append>(pump.Next(queueDrained: false, queueNeedsRefill: false));
        Assert.Equal([a], first.Adds);
        Assert.Equal([done], first.Done);
        pump.Add(b);
        Assert.Null(pump.Next(false, false));

        Assert.Equal(1, pump.Failed(first));
        Assert.Null(pump.Next(false, false));
        pump.RetryNow();
        var again = Assert.IsType<OutboxOperation.Append>(pump.Next(false, false));
        Assert.Equal([a, b], again.Adds);
        Assert.Equal([done], again.Done);
        pump.Succeeded(again);
        Assert.Equal((0, 1, 0), (pump.Attempt, pump.DoneInFile, pump.Waiting));
    }

    [Fact]
    public void The_pump_truncates_a_drained_file_compacts_a_busy_one_after_compact_after_done_lines_and_reads_spilled_events_back()
    {
        var pump = new OutboxPump(compactAfter: 3);
        pump.Done(Guid.NewGuid());
        var truncate = Assert.IsType<OutboxOperation.Truncate>(pump.Next(queueDrained: true, queueNeedsRefill: false));
        Assert.Single(truncate.Done);
        pump.Succeeded(truncate);

        for (var i = 0; i < 2; i++) pump.Done(Guid.NewGuid());
        var append = Assert.IsType<OutboxOperation.Append>(pump.Next(queueDrained: false, queueNeedsRefill: false));
        pump.Succeeded(append);
        Assert.Equal(2, pump.DoneInFile);
        pump.Done(Guid.NewGuid());
        pump.Add(Accepted());
        // The queue is busy (not drained): only compaction bounds the file.
        var compact = Assert.IsType<OutboxOperation.Compact>(pump.Next(queueDrained: false, queueNeedsRefill: false));
        Assert.Single(compact.Done);
        pump.Succeeded(compact);
        Assert.Equal(0, pump.DoneInFile);
        pump.Succeeded(Assert.IsType<OutboxOperation.Append>(pump.Next(false, false)));
        Assert.Same(OutboxOperation.Refill.Instance, pump.Next(queueDrained: false, queueNeedsRefill: true));
    }

    [Fact]
    public void Delivery_dead_letters_only_after_poison_attempts_permanent_refusals_and_transient_failures_never_count()
    {
        var state = new DeliveryState(poisonAttempts: 3, reminderInterval: TimeSpan.FromMinutes(1));
        var now = DateTimeOffset.UnixEpoch;
        var wrongType = new RedisServerException("WRONGTYPE Operation against a key holding the wrong kind of value");
        var down = new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down");

        state.Started();
        Assert.False(state.CanStart);
        Assert.Equal(DeliveryVerdict.RetryFirstFailure, state.Failed(wrongType, now));
        state.RetryNow();
        for (var i = 0; i < 10; i++)
        {
            state.Started();
            Assert.NotEqual(DeliveryVerdict.DeadLetter, state.Failed(down, now.AddSeconds(i)));
            state.RetryNow();
        }
        state.Started();
        Assert.Equal(DeliveryVerdict.RetryQuietly, state.Failed(wrongType, now.AddSeconds(20)));
        state.RetryNow();
        state.Started();
        Assert.Equal(DeliveryVerdict.DeadLetter, state.Failed(wrongType, now.AddSeconds(21)));
        Assert.False(state.CanStart);
        state.DeadLettered();
        Assert.True(state.CanStart);
        Assert.Equal((0, 0, (DateTimeOffset?)null), (state.Attempt, state.PermanentFailures, state.FailingSince));
    }

    [Fact]
    public void Delivery_reminds_of_an_outage_once_per_interval_and_a_reconnect_cuts_the_back_off_short()
    {
        var state = new DeliveryState(poisonAttempts: 5, reminderInterval: TimeSpan.FromSeconds(60));
        var now = DateTimeOffset.UnixEpoch;
        var timeout = new RedisTimeoutException("slow", CommandStatus.Sent);

        state.Started();
        Assert.Equal(DeliveryVerdict.RetryFirstFailure, state.Failed(timeout, now));
        Assert.True(state.Restored());
        Assert.False(state.Restored());
        state.Started();
        Assert.Equal(DeliveryVerdict.RetryQuietly, state.Failed(timeout, now.AddSeconds(30)));
        state.RetryNow();
        state.Started();
        Assert.Equal(DeliveryVerdict.RetryReminder, state.Failed(timeout, now.AddSeconds(61)));
        state.RetryNow();
        state.Started();
        Assert.Equal(TimeSpan.FromSeconds(70), state.Delivered(now.AddSeconds(70)));
        Assert.Null(state.Delivered(now.AddSeconds(71)));
    }

    [Fact]
    public void The_announcement_carries_the_exact_member_for_the_sorted_set_and_the_sorted_set_schema_for_the_list_store()
    {
        var pending = Pending();
        var origin = new EventOrigin("http://n1:8080", "n1");

        var (registered, recorded) = EventAnnouncement.Of(pending, () => origin);

        var e = pending.Event;
        Assert.Equal(new TaskEvents.EventRegistered(e.TaskKey, e.EventId, e.VideoPath, e.ImagePath, e.Timestamp, e.Error), registered);
        Assert.Equal(pending.Payload, recorded.MemberJson);
        var list = pending with { Sink = ListEventSink.SinkName, Payload = ListEventEntry.Build(e, origin) };
        Assert.Equal(EventMember.Build(e, origin), EventAnnouncement.Of(list, () => origin).Recorded.MemberJson);
    }
}
