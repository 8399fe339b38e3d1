using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.Redis;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Registrator.Node.Http.Events;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.Redis;

/// <summary>
/// The indexes beside the sorted set (<c>&lt;key&gt;:by-id</c>, <c>&lt;key&gt;:by-key:&lt;task&gt;</c>): written in
/// the ZADD's script, read by the HTTP queries instead of a scan, removed by retention with the member, and filled
/// for members written before they existed by the start-up backfill.
/// </summary>
public sealed class EventIndexSpec(RedisServer redis, ITestOutputHelper output) : EventStoreSpec(redis, output), IClassFixture<RedisServer>
{
    private static readonly double EightDays = TimeSpan.FromDays(8).TotalSeconds;

    private RedisKeys Keys => RegistratorSettings.Defaults.Events.Keys with { SortedSet = EventsKey };

    [Fact]
    public async Task Queries_by_key_and_by_id_read_the_indexes_including_members_from_before_them()
    {
        var key = "camera-" + Guid.NewGuid().ToString("N")[..6];
        // Written as an older version would have: ZADD only.
        var before = NewEvent(taskKey: key, timestamp: NowSeconds() - 120);
        await SeedAsync(before, withFiles: false);
        var store = StartStore();
        StartRetention(store);
        var database = await ClientAsync();
        await AwaitAssertAsync(async () => Assert.True(await database.KeyExistsAsync(Keys.IndexedMarker)), TimeSpan.FromSeconds(20));
        var mine = Enumerable.Range(0, 3).Select(i => NewEvent(taskKey: key, timestamp: NowSeconds() - 60 + i)).ToArray();
        var other = NewEvent(taskKey: "other-" + key);
        await RecordAllAsync(store, [.. mine, other]);
        var queries = new EventQueries(Connection(), Keys);

        var page = await queries.ListAsync(new EventFilter(key, null, null, Limit: 3, Offset: 0), CancellationToken.None);
        Assert.Equal(mine.Reverse().Select(e => (Guid?)e.EventId), page.Events.Select(e => e.EventId));
        Assert.True(page.HasMore);
        var rest = await queries.ListAsync(new EventFilter(key, null, null, Limit: 3, Offset: 3), CancellationToken.None);
        Assert.Equal([before.EventId], rest.Events.Select(e => e.EventId));
        Assert.False(rest.HasMore);
        var since = await queries.ListAsync(new EventFilter(key, mine[1].Timestamp, null, Limit: 10, Offset: 0), CancellationToken.None);
        Assert.Equal([mine[2].EventId, mine[1].EventId], since.Events.Select(e => e.EventId));

        var found = await queries.FindAsync(mine[0].EventId, CancellationToken.None);
        Assert.Equal(key, found!.Key);
        Assert.Equal(mine[0].Timestamp, found.Timestamp);
        Assert.Equal(before.EventId, (await queries.FindAsync(before.EventId, CancellationToken.None))!.EventId);
        Assert.Null(await queries.FindAsync(Guid.NewGuid(), CancellationToken.None));

        // Proof that the index is what answers: with the hash naming another member for an id, that member is
        // answered, though the set holds the real one (a scan would have found the real one).
        await database.HashSetAsync(Keys.EventsById, other.EventId.ToString("D"), EventMember.Build(other with { TaskKey = "decoy" }));
        Assert.Null(await queries.FindAsync(other.EventId, CancellationToken.None));
        // A member another writer added without index entries is still found by id (a miss falls back to a scan).
        var python = NewEvent(taskKey: key);
        await SeedAsync(python, withFiles: false);
        Assert.Equal(python.EventId, (await queries.FindAsync(python.EventId, CancellationToken.None))!.EventId);
    }

    [Fact]
    public async Task Retention_removes_expired_events_from_the_indexes_with_the_member()
    {
        var key = "camera-" + Guid.NewGuid().ToString("N")[..6];
        var old = Enumerable.Range(0, 3).Select(_ => NewEvent(taskKey: key, timestamp: NowSeconds() - EightDays)).ToArray();
        var recent = NewEvent(taskKey: key);
        var store = StartStore();
        await RecordAllAsync(store, [.. old, recent]);
        var database = await ClientAsync();
        Assert.Equal(4, await database.HashLengthAsync(Keys.EventsById));
        Assert.Equal(4, await database.SortedSetLengthAsync(Keys.EventsOf(key)));
        var retention = StartRetention(store);

        retention.Tell(RunRetention.Instance, TestActor);

        Assert.Equal(3, (await ExpectMsgAsync<RetentionResult>(TimeSpan.FromSeconds(20))).Removed);
        Assert.Equal([recent.EventId.ToString("D")], (await database.HashKeysAsync(Keys.EventsById)).Select(k => (string)k!));
        Assert.Equal([recent.EventId.ToString("D")], (await database.SortedSetRangeByRankAsync(Keys.EventsOf(key))).Select(k => (string)k!));
        var queries = new EventQueries(Connection(), Keys);
        await database.StringSetAsync(Keys.IndexedMarker, 1);
        Assert.Equal([recent.EventId], (await queries.ListAsync(new EventFilter(key, null, null, 10, 0), CancellationToken.None)).Events.Select(e => e.EventId));
        Assert.Null(await queries.FindAsync(old[0].EventId, CancellationToken.None));
    }

    [Fact]
    public async Task Known_keys_read_the_members_before_the_backfill_and_the_per_key_indexes_after_it_with_the_same_answer()
    {
        var (a, b) = ("gate-" + Guid.NewGuid().ToString("N")[..6], "dock/" + Guid.NewGuid().ToString("N")[..6]);
        var events = new[] { NewEvent(taskKey: a, timestamp: 1_796_000_001), NewEvent(taskKey: a, timestamp: 1_796_000_003), NewEvent(taskKey: b, timestamp: 1_796_000_002) };
        await RecordAllAsync(StartStore(), events);
        var database = await ClientAsync();
        var known = new Registrator.Node.Http.Events.KnownKeys(Connection(), Keys);
        var expected = new[] { (a, 2, 1_796_000_003.0), (b, 1, 1_796_000_002.0) }.OrderBy(k => k.Item1, StringComparer.Ordinal).ToArray();

        await database.KeyDeleteAsync(Keys.IndexedMarker);
        var fromMembers = (await known.ListAsync(CancellationToken.None)).Select(k => (k.Key, k.Events, k.Latest)).ToArray();
        await database.StringSetAsync(Keys.IndexedMarker, 1);
        var fromIndex = (await known.ListAsync(CancellationToken.None)).Select(k => (k.Key, k.Events, k.Latest)).ToArray();
        // An index emptied by retention names no key.
        await database.SortedSetRemoveAsync(Keys.EventsOf(b), events[2].EventId.ToString("D"));
        var afterRetention = (await known.ListAsync(CancellationToken.None)).Select(k => k.Key).ToArray();

        Assert.Equal(expected, fromMembers);
        Assert.Equal(expected, fromIndex);
        Assert.Equal([a], afterRetention);
    }

    [Fact]
    public async Task An_index_key_of_the_wrong_type_dead_letters_the_event_without_writing_its_member()
    {
        var key = "camera-" + Guid.NewGuid().ToString("N")[..6];
        var database = await ClientAsync();
        await database.StringSetAsync(Keys.EventsOf(key), "not a sorted set");
        var dead = CreateTestProbe();
        Sys.EventStream.Subscribe(dead.Ref, typeof(EventDeadLettered));
        var bad = NewEvent(taskKey: key);
        var good = NewEvent();
        var store = StartStore();

        await RecordAllAsync(store, [good], also: bad);

        Assert.Equal(bad.EventId, (await dead.ExpectMsgAsync<EventDeadLettered>(TimeSpan.FromSeconds(30))).EventId);
        Assert.Equal([good.EventId.ToString("D")], (await database.HashKeysAsync(Keys.EventsById)).Select(k => (string)k!));
        Assert.Single(await MembersAsync());
    }

    /// <summary>Records <paramref name="events"/> (after <paramref name="also"/>, whose fate the caller checks) and waits until each is registered.</summary>
    private async Task RecordAllAsync(IActorRef store, RegisteredEvent[] events, RegisteredEvent? also = null)
    {
        var replyTo = CreateTestProbe();
        if (also is not null) store.Tell(new RecordEvent(also, ActorRefs.Nobody), ActorRefs.NoSender);
        foreach (var e in events) store.Tell(new RecordEvent(e, replyTo.Ref), ActorRefs.NoSender);
        foreach (var e in events) await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(30));
    }

    private readonly List<RedisConnection> _connections = [];

    private RedisConnection Connection()
    {
        var connection = new RedisConnection(RegistratorSettings.Defaults.Redis with { Host = "127.0.0.1", Port = Redis.Port });
        _connections.Add(connection);
        return connection;
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var connection in _connections) connection.Dispose();
        base.Dispose(disposing);
    }
}
