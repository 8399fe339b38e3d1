using Akka.Actor;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Sinks;
using StackExchange.Redis;
using Xunit;

// Redis errors built as the client builds them (its constructor for tests is marked obsolete).
#pragma warning disable CS0618

namespace Registrator.Actors.Tests.EventStore;

/// <summary>
/// The event store's Redis delivery step on its own: which event is written next, what an answer means, and the count
/// of undelivered events that the outbox depth metric shows.
/// </summary>
public sealed class RedisDeliverySpec
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static PendingEvent Pending()
    {
        var id = Guid.NewGuid();
        var e = new RegisteredEvent(id, "camera-1", """{"a":1}""", $"/tmp/{id}/{id}.mp4", $"/tmp/{id}/{id}.jpg", null, 1_700_000_000.5, new TaskStatistics(3, 3, true, 1));
        return new PendingEvent(e, SortedSetEventSink.SinkName, "events", e.Timestamp, EventMember.Build(e));
    }

    private static AcceptedEvent Accepted() => new(Pending(), ActorRefs.Nobody, ActorRefs.Nobody);

    private static RedisDelivery Delivery(int window, int poisonAttempts = 2) =>
        new(new DeliveryQueue(window), new DeliveryState(poisonAttempts, reminderInterval: TimeSpan.FromMinutes(1)));

    [Fact]
    public void One_write_at_a_time_a_stale_answer_dequeues_nothing_and_a_delivered_head_is_counted_off()
    {
        var delivery = Delivery(window: 4);
        var (a, b) = (Accepted(), Accepted());
        delivery.Accepted(a, offset: 0);
        delivery.Accepted(b, offset: 100);
        Assert.Equal(2, delivery.Undelivered);

        Assert.Equal(a.Pending.EventId, delivery.NextWrite()?.Pending.EventId);
        Assert.Null(delivery.NextWrite());

        // An answer about another event belongs to a write that is over: the head stays, and is written again.
        Assert.Null(delivery.AnswerFor(b.Pending.EventId));
        Assert.Equal(2, delivery.Undelivered);
        Assert.Equal(a.Pending.EventId, delivery.NextWrite()?.Pending.EventId);

        Assert.Equal(a.Pending.EventId, delivery.AnswerFor(a.Pending.EventId)?.Pending.EventId);
        var (delivered, outage) = delivery.Delivered(Now);
        Assert.Equal(a.Pending.EventId, delivered.Pending.EventId);
        Assert.Null(outage);
        Assert.Equal(1, delivery.Undelivered);
        Assert.Equal(b.Pending.EventId, delivery.NextWrite()?.Pending.EventId);
    }

    [Fact]
    public void A_poison_head_is_dead_lettered_after_its_attempts_and_the_spilled_events_behind_it_come_next_in_order()
    {
        var delivery = Delivery(window: 1, poisonAttempts: 2);
        var (a, b) = (Accepted(), Accepted());
        delivery.Accepted(a, offset: 0);
        delivery.Accepted(b, offset: 100); // the window holds one: b is only in the file
        var wrongType = new RedisServerException("WRONGTYPE Operation against a key holding the wrong kind of value");

        Assert.Equal(a.Pending.EventId, delivery.NextWrite()?.Pending.EventId);
        Assert.Equal(DeliveryVerdict.RetryFirstFailure, delivery.Failed(wrongType, Now));
        Assert.Null(delivery.NextWrite()); // backing off
        delivery.State.RetryNow();
        Assert.Equal(a.Pending.EventId, delivery.NextWrite()?.Pending.EventId);
        Assert.Equal(DeliveryVerdict.DeadLetter, delivery.Failed(wrongType, Now.AddSeconds(1)));
        Assert.Null(delivery.NextWrite()); // paused until the dead letter is written

        Assert.Equal(a.Pending.EventId, delivery.DeadLettered().Pending.EventId);
        Assert.Equal(1, delivery.Undelivered);
        Assert.Null(delivery.NextWrite()); // the window is empty; b waits in the file

        delivery.Refilled(new OutboxBatch([b.Pending], NextOffset: null, Problems: []));
        Assert.Equal(b.Pending.EventId, delivery.NextWrite()?.Pending.EventId);
        Assert.Equal(1, delivery.Undelivered);
    }
}
