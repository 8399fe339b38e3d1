using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Sinks;
using StackExchange.Redis;

namespace Registrator.Actors.Redis;

/// <summary>
/// The indexes beside the sorted set, so that reads by task key or event id never scan it: the hash
/// <see cref="RedisKeys.EventsById"/> (event id → member) and one sorted set per task <see cref="RedisKeys.EventsOf"/>
/// (score → event id). <see cref="SortedSetEventSink"/> writes them in the ZADD's script, retention removes them in the
/// ZREM's (<see cref="RemoveScript"/>), and <see cref="BackfillAsync"/> indexes members written before they existed.
/// </summary>
public static class EventIndex
{
    /// <summary>Members read and indexed per round trip by the backfill.</summary>
    private const int BackfillPage = 1000;

    /// <summary>
    /// KEYS[1] = the sorted set, KEYS[2] = the id hash, KEYS[3..] = each member's task index; ARGV = member, id, member,
    /// id, … (id may be empty). Removes each member and its index entries; the hash entry only while it still names this
    /// member. Returns the members removed.
    /// </summary>
    public const string RemoveScript = """
        local removed = 0
        for i = 1, #ARGV, 2 do
          local n = redis.call('ZREM', KEYS[1], ARGV[i])
          removed = removed + n
          local id = ARGV[i + 1]
          if id ~= '' then
            redis.call('ZREM', KEYS[2 + (i + 1) / 2], id)
            if redis.call('HGET', KEYS[2], id) == ARGV[i] then redis.call('HDEL', KEYS[2], id) end
          end
        end
        return removed
        """;

    // KEYS[1] = the sorted set, KEYS[2] = the id hash, KEYS[3..] = each member's task index; ARGV = score, member, id, …
    // Only fills what is missing, and only for members still in the set: retention may have removed one (with its
    // index entries) since the scan read it.
    private const string BackfillScript = """
        for i = 1, #ARGV, 3 do
          if redis.call('ZSCORE', KEYS[1], ARGV[i + 1]) then
            redis.call('HSETNX', KEYS[2], ARGV[i + 2], ARGV[i + 1])
            redis.call('ZADD', KEYS[2 + (i + 2) / 3], 'NX', ARGV[i], ARGV[i + 2])
          end
        end
        return 1
        """;

    /// <summary>
    /// The task key (the member's only property) and event id (its <c>event_id</c>, or for the Python module's members
    /// the <c>&lt;uuid&gt;</c> of its file names) of a member; <c>null</c>s when it is not of the event schema.
    /// </summary>
    public static (string? TaskKey, Guid? EventId) Identify(ReadOnlySpan<byte> member) =>
        EventMember.Parse(member, withMessage: false) is { } fields ? (fields.TaskKey, fields.EventId) : (null, null);

    /// <summary>The arguments of <see cref="RemoveScript"/> for <paramref name="members"/> of the sorted set <paramref name="keys"/> names.</summary>
    public static (RedisKey[] Keys, RedisValue[] Values) RemoveArguments(RedisKeys keys, IReadOnlyList<RedisValue> members)
    {
        var scriptKeys = new RedisKey[2 + members.Count];
        var values = new RedisValue[members.Count * 2];
        scriptKeys[0] = keys.SortedSet;
        scriptKeys[1] = keys.EventsById;
        for (var i = 0; i < members.Count; i++)
        {
            var (taskKey, eventId) = Identify((byte[])members[i]!);
            // A member of no task still needs a key in its slot; it is never written.
            scriptKeys[2 + i] = taskKey is null ? keys.EventsOf("") : keys.EventsOf(taskKey);
            values[2 * i] = members[i];
            values[2 * i + 1] = taskKey is not null && eventId is { } id ? id.ToString("D") : "";
        }
        return (scriptKeys, values);
    }

    /// <summary>True once the backfill has completed for this sorted set (every member then has its index entries).</summary>
    public static async Task<bool> IsCompleteAsync(IDatabase database, RedisKeys keys) =>
        await database.KeyExistsAsync(keys.IndexedMarker).ConfigureAwait(false);

    /// <summary>
    /// Indexes every member of the sorted set that is not yet (members written before the indexes existed), then sets
    /// <see cref="RedisKeys.IndexedMarker"/>. Does nothing once the marker is set. Safe beside writers and retention:
    /// it only adds what is missing (HSETNX, ZADD NX), and an index entry of a member retention removes meanwhile is
    /// what a query skips (its id names no member). Returns the members seen, or -1 when the marker was already set.
    /// </summary>
    public static async Task<long> BackfillAsync(IDatabase database, RedisKeys keys, CancellationToken cancellationToken)
    {
        if (await IsCompleteAsync(database, keys).WaitAsync(cancellationToken).ConfigureAwait(false)) return -1;
        long seen = 0;
        var scriptKeys = new List<RedisKey> { keys.SortedSet, keys.EventsById };
        var values = new List<RedisValue>();
        async Task FlushAsync()
        {
            if (values.Count == 0) return;
            await database.ScriptEvaluateAsync(BackfillScript, [.. scriptKeys], [.. values]).WaitAsync(cancellationToken).ConfigureAwait(false);
            scriptKeys.RemoveRange(2, scriptKeys.Count - 2);
            values.Clear();
        }
        await foreach (var entry in database.SortedSetScanAsync(keys.SortedSet, pageSize: BackfillPage).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            seen++;
            var (taskKey, eventId) = Identify((byte[])entry.Element!);
            if (taskKey is null || eventId is not { } id) continue;
            scriptKeys.Add(keys.EventsOf(taskKey));
            values.Add(entry.Score);
            values.Add(entry.Element);
            values.Add(id.ToString("D"));
            if (scriptKeys.Count > BackfillPage + 1) await FlushAsync().ConfigureAwait(false);
        }
        await FlushAsync().ConfigureAwait(false);
        await database.StringSetAsync(keys.IndexedMarker, DateTimeOffset.UtcNow.ToUnixTimeSeconds()).WaitAsync(cancellationToken).ConfigureAwait(false);
        return seen;
    }
}
