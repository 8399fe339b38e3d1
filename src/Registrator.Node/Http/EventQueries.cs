using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Node.Http;

/// <summary>
/// Reads events from the sorted set the event store writes (<c>registrator.events.sorted-set-key</c>), on the node's
/// shared connection. Never writes. Members that are not of the event schema are left out.
/// </summary>
internal sealed class EventQueries(RedisConnection redis, string sortedSetKey)
{
    /// <summary>Members read per round trip when filtering by key, which Redis cannot do for us.</summary>
    private const int ScanChunk = 500;

    public string SortedSetKey => sortedSetKey;

    public async Task<EventPage> ListAsync(EventFilter filter, CancellationToken cancellation)
    {
        var database = await redis.GetDatabaseAsync().WaitAsync(cancellation).ConfigureAwait(false);
        var since = filter.Since ?? double.NegativeInfinity;
        var until = filter.Until ?? double.PositiveInfinity;
        if (filter.Key is null)
        {
            // One more than asked for tells whether another page follows.
            var entries = await database.SortedSetRangeByScoreWithScoresAsync(
                sortedSetKey, since, until, Exclude.None, Order.Descending, filter.Offset, filter.Limit + 1).WaitAsync(cancellation).ConfigureAwait(false);
            var events = entries.Select(e => EventView.Parse(e.Element!, e.Score)).OfType<EventView>().ToList();
            return Page(events, filter.Limit, more: entries.Length > filter.Limit);
        }

        var matched = new List<EventView>(filter.Limit + 1);
        var skipped = 0;
        for (long scanned = 0; ; scanned += ScanChunk)
        {
            var chunk = await database.SortedSetRangeByScoreWithScoresAsync(
                sortedSetKey, since, until, Exclude.None, Order.Descending, scanned, ScanChunk).WaitAsync(cancellation).ConfigureAwait(false);
            foreach (var entry in chunk)
            {
                if (EventView.Parse(entry.Element!, entry.Score) is not { } view || !string.Equals(view.Key, filter.Key, StringComparison.Ordinal)) continue;
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

    /// <summary>
    /// The event with <paramref name="eventId"/>, or <c>null</c>. ZSCAN with a MATCH pattern lets Redis pick the few
    /// members that mention the id (in <c>event_id</c> or a file name); only those are parsed here.
    /// </summary>
    public async Task<EventView?> FindAsync(Guid eventId, CancellationToken cancellation)
    {
        var database = await redis.GetDatabaseAsync().WaitAsync(cancellation).ConfigureAwait(false);
        var pattern = "*" + eventId.ToString("D") + "*";
        await foreach (var entry in database.SortedSetScanAsync(sortedSetKey, pattern, pageSize: 1000).WithCancellation(cancellation).ConfigureAwait(false))
        {
            if (EventView.Parse(entry.Element!, entry.Score) is { } view && view.EventId == eventId) return view;
        }
        return null;
    }

    private static EventPage Page(List<EventView> events, int limit, bool more) =>
        new(events.Count > limit ? events.GetRange(0, limit) : events, more);
}
