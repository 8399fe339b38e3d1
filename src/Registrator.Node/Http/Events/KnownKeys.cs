using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Node.Http.Events;

/// <summary>
/// The task keys that have events, for the page's key filter (<c>GET /api/keys</c>). Once the event store's indexes
/// are complete (<see cref="RedisKeys.IndexedMarker"/>) it reads them: SCAN for the per-key index sets, then each one's
/// size and newest score in one pipelined round, so its cost follows the number of keys, not of events. Before that
/// (a sorted set the Python module or an older node wrote) it reads the members, a chunk per round trip. Never writes.
/// </summary>
/// <remarks>
/// Events added or expired while it reads may be missed or counted twice: the list is a guide for choosing a filter,
/// not a count to rely on.
/// </remarks>
internal sealed class KnownKeys(RedisConnection redis, RedisKeys keys)
{
    private const int Chunk = 1000;
    private readonly RedisKeys _keys = keys;
    private readonly string _sortedSetKey = keys.SortedSet;

    public string SortedSetKey => _sortedSetKey;

    /// <summary>Every key with at least one event, ordinally sorted.</summary>
    public async Task<IReadOnlyList<KnownKey>> ListAsync(CancellationToken cancellation)
    {
        var database = await redis.GetDatabaseAsync().WaitAsync(cancellation).ConfigureAwait(false);
        var known = await EventIndex.IsCompleteAsync(database, _keys).WaitAsync(cancellation).ConfigureAwait(false)
            ? await FromIndexAsync(database, cancellation).ConfigureAwait(false)
            : await FromMembersAsync(database, cancellation).ConfigureAwait(false);
        return known.OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
    }

    private async Task<List<KnownKey>> FromIndexAsync(IDatabase database, CancellationToken cancellation)
    {
        var prefix = _keys.EventsOf("");
        var pattern = GlobEscape(prefix) + "*";
        var names = new List<string>();
        var cursor = "0";
        do
        {
            var reply = (RedisResult[])(await database.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", Chunk)
                .WaitAsync(cancellation).ConfigureAwait(false))!;
            cursor = (string)reply[0]!;
            foreach (var name in (RedisResult[])reply[1]!) names.Add((string)name!);
        }
        while (cursor != "0");

        var distinct = names.Distinct(StringComparer.Ordinal).ToList();
        var batch = database.CreateBatch();
        var counts = distinct.Select(n => batch.SortedSetLengthAsync(n)).ToList();
        var newest = distinct.Select(n => batch.SortedSetRangeByRankWithScoresAsync(n, -1, -1)).ToList();
        batch.Execute();
        await Task.WhenAll(counts.Cast<Task>().Concat(newest)).WaitAsync(cancellation).ConfigureAwait(false);
        var known = new List<KnownKey>(distinct.Count);
        for (var i = 0; i < distinct.Count; i++)
        {
            // Retention may have emptied an index between the SCAN and the read: such a key has no events.
            if (counts[i].Result == 0 || newest[i].Result.Length == 0) continue;
            known.Add(new KnownKey(distinct[i][prefix.Length..], (int)counts[i].Result, newest[i].Result[0].Score));
        }
        return known;
    }

    private async Task<List<KnownKey>> FromMembersAsync(IDatabase database, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, KnownKey>(StringComparer.Ordinal);
        for (long start = 0; ; start += Chunk)
        {
            var entries = await database.SortedSetRangeByRankWithScoresAsync(_sortedSetKey, start, start + Chunk - 1)
                .WaitAsync(cancellation).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                if (EventView.Parse(entry.Element!, entry.Score) is not { } view) continue;
                keys[view.Key] = keys.TryGetValue(view.Key, out var known)
                    ? known with { Events = known.Events + 1, Latest = Math.Max(known.Latest, entry.Score) }
                    : new KnownKey(view.Key, 1, entry.Score);
            }
            if (entries.Length < Chunk) break;
        }
        return [.. keys.Values];
    }

    /// <summary>A literal for Redis's glob: the sorted set's name may hold <c>* ? [ ] \</c>.</summary>
    private static string GlobEscape(string literal)
    {
        var escaped = new System.Text.StringBuilder(literal.Length);
        foreach (var c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '\\') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
