using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Node.Http.Events;

/// <summary>
/// Reads events from the sorted set the event store writes (<c>registrator.events.sorted-set-key</c>), on the node's
/// shared connection. Never writes. Members that are not of the event schema are left out.
/// <para>
/// Reads by task key or event id go through the indexes the store keeps beside the set (<see cref="EventIndex"/>:
/// <c>&lt;key&gt;:by-key:&lt;task key&gt;</c> and <c>&lt;key&gt;:by-id</c>): a page costs two round trips whatever
/// the size of the set. Until the start-up backfill has indexed the members written before the indexes existed
/// (<c>&lt;key&gt;:indexed</c> not yet set), a read by key falls back to reading the set itself, as before. A read by
/// id that the index does not know (an unknown id, or a member another writer such as the Python module added without
/// index entries) falls back to a ZSCAN MATCH: only misses pay for it.
/// </para>
/// </summary>
internal sealed class EventQueries(RedisConnection redis, RedisKeys keys)
{
    /// <summary>Members read per round trip by the fallback filter by key.</summary>
    private const int ScanChunk = 500;

    private readonly RedisKeys _keys = keys;
    private readonly string _sortedSetKey = keys.SortedSet;
    // Once set the marker stays: no need to ask again.
    private volatile bool _indexed;

    public string SortedSetKey => _sortedSetKey;

    public async Task<EventPage> ListAsync(EventFilter filter, CancellationToken cancellation)
    {
        var database = await redis.GetDatabaseAsync().WaitAsync(cancellation).ConfigureAwait(false);
        var since = filter.Since ?? double.NegativeInfinity;
        var until = filter.Until ?? double.PositiveInfinity;
        if (filter.Key is null)
        {
            // One more than asked for tells whether another page follows.
            var entries = await database.SortedSetRangeByScoreWithScoresAsync(
                _sortedSetKey, since, until, Exclude.None, Order.Descending, filter.Offset, filter.Limit + 1).WaitAsync(cancellation).ConfigureAwait(false);
            var events = entries.Select(e => EventView.Parse(e.Element!, e.Score)).OfType<EventView>().ToList();
            return Page(events, filter.Limit, more: entries.Length > filter.Limit);
        }
        if (await IsIndexedAsync(database, cancellation).ConfigureAwait(false))
            return await ListIndexedAsync(database, filter.Key, since, until, filter, cancellation).ConfigureAwait(false);
        return await ListScanningAsync(database, filter.Key, since, until, filter, cancellation).ConfigureAwait(false);
    }

    /// <summary>The event with <paramref name="eventId"/>, or <c>null</c>: the id hash names its member, the set its score.</summary>
    public async Task<EventView?> FindAsync(Guid eventId, CancellationToken cancellation)
    {
        var database = await redis.GetDatabaseAsync().WaitAsync(cancellation).ConfigureAwait(false);
        var member = await database.HashGetAsync(_keys.EventsById, eventId.ToString("D")).WaitAsync(cancellation).ConfigureAwait(false);
        if (!member.IsNull)
        {
            // No score: the member left the set (retention) after the hash was read.
            var score = await database.SortedSetScoreAsync(_sortedSetKey, member).WaitAsync(cancellation).ConfigureAwait(false);
            return score is { } s && EventView.Parse(member!, s) is { } view && view.EventId == eventId ? view : null;
        }
        // Not in the index: an unknown id, or a member another writer (the Python module) added without index entries.
        // Only such a miss scans; every event this store recorded is a hit.
        return await FindScanningAsync(database, eventId, cancellation).ConfigureAwait(false);
    }

    private async Task<EventPage> ListIndexedAsync(IDatabase database, string key, double since, double until, EventFilter filter, CancellationToken cancellation)
    {
        var ids = await database.SortedSetRangeByScoreWithScoresAsync(
            _keys.EventsOf(key), since, until, Exclude.None, Order.Descending, filter.Offset, filter.Limit + 1).WaitAsync(cancellation).ConfigureAwait(false);
        if (ids.Length == 0) return new EventPage([], false);
        var members = await database.HashGetAsync(_keys.EventsById, ids.Select(i => i.Element).ToArray()).WaitAsync(cancellation).ConfigureAwait(false);
        var events = new List<EventView>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            // A missing member: retention removed the event between the two reads.
            if (members[i].IsNull || EventView.Parse(members[i]!, ids[i].Score) is not { } view || !string.Equals(view.Key, key, StringComparison.Ordinal)) continue;
            events.Add(view);
        }
        return Page(events, filter.Limit, more: ids.Length > filter.Limit);
    }

    /// <summary>Before the backfill: every member in the range is read and filtered here.</summary>
    private async Task<EventPage> ListScanningAsync(IDatabase database, string key, double since, double until, EventFilter filter, CancellationToken cancellation)
    {
        var matched = new List<EventView>(filter.Limit + 1);
        var skipped = 0;
        for (long scanned = 0; ; scanned += ScanChunk)
        {
            var chunk = await database.SortedSetRangeByScoreWithScoresAsync(
                _sortedSetKey, since, until, Exclude.None, Order.Descending, scanned, ScanChunk).WaitAsync(cancellation).ConfigureAwait(false);
            foreach (var entry in chunk)
            {
                if (EventView.Parse(entry.Element!, entry.Score) is not { } view || !string.Equals(view.Key, key, StringComparison.Ordinal)) continue;
                if (skipped < filter.Offset)
                {
                    skipped++;
                    continue;
                }
                matched.Add(view);
                if (matched.Count > filter.Limit) return Page(matched, filter.Limit, more: true);
            }
            if (chunk.Length < ScanChunk) return Page(matched, filter.Limit, more: false);
        }
    }

    /// <summary>Before the backfill: ZSCAN with a MATCH pattern lets Redis pick the few members that mention the id.</summary>
    private async Task<EventView?> FindScanningAsync(IDatabase database, Guid eventId, CancellationToken cancellation)
    {
        var pattern = "*" + eventId.ToString("D") + "*";
        await foreach (var entry in database.SortedSetScanAsync(_sortedSetKey, pattern, pageSize: 1000).WithCancellation(cancellation).ConfigureAwait(false))
        {
            if (EventView.Parse(entry.Element!, entry.Score) is { } view && view.EventId == eventId) return view;
        }
        return null;
    }

    private async Task<bool> IsIndexedAsync(IDatabase database, CancellationToken cancellation)
    {
        if (_indexed) return true;
        _indexed = await EventIndex.IsCompleteAsync(database, _keys).WaitAsync(cancellation).ConfigureAwait(false);
        return _indexed;
    }

    private static EventPage Page(List<EventView> events, int limit, bool more) =>
        new(events.Count > limit ? events.GetRange(0, limit) : events, more);
}
