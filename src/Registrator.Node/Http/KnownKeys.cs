using Registrator.Actors.Redis;

namespace Registrator.Node.Http;

/// <summary>
/// The task keys that have events, for the page's key filter (<c>GET /api/keys</c>): read from the same sorted set as
/// <see cref="EventQueries"/>, a chunk of members per round trip, each parsed only for its key. Never writes.
/// </summary>
/// <remarks>
/// This reads every member, which is fine for the sizes retention keeps; a per-key index replaces it with one read of
/// the index's key set. Members added or expired while it pages may be missed or counted twice: the list is a guide
/// for choosing a filter, not a count to rely on.
/// </remarks>
internal sealed class KnownKeys(RedisConnection redis, string sortedSetKey)
{
    private const int Chunk = 1000;

    public string SortedSetKey => sortedSetKey;

    /// <summary>Every key with at least one event, ordinally sorted.</summary>
    public async Task<IReadOnlyList<KnownKey>> ListAsync(CancellationToken cancellation)
    {
        var database = await redis.GetDatabaseAsync().WaitAsync(cancellation).ConfigureAwait(false);
        var keys = new Dictionary<string, KnownKey>(StringComparer.Ordinal);
        for (long start = 0; ; start += Chunk)
        {
            var entries = await database.SortedSetRangeByRankWithScoresAsync(sortedSetKey, start, start + Chunk - 1)
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
        return keys.Values.OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
    }
}
