using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// One run of <see cref="EventRetention.RunAsync"/>: the registry as read at its start, the pages of the sorted set or
/// the lists it trims, and what it did so far (the <see cref="RetentionResult"/>).
/// </summary>
internal sealed class RetentionRun(EventRetention owner, IDatabase database, IReadOnlyDictionary<string, double> heartbeats, double nowSeconds, CancellationToken cancellationToken)
{
    // KEYS[1] = a task's list, KEYS[2] = its id set; ARGV = entry, id, entry, id, … Removes each entry (one copy, from
    // the tail: the oldest) and its id together, so a list and its id set never disagree. Returns the entries removed.
    private const string RemoveListEntries = """
        local removed = 0
        for i = 1, #ARGV, 2 do
          local n = redis.call('LREM', KEYS[1], -1, ARGV[i])
          if n > 0 then
            removed = removed + n
            if ARGV[i + 1] ~= '' then redis.call('SREM', KEYS[2], ARGV[i + 1]) end
          end
        end
        return removed
        """;

    private readonly RetentionSettings _retention = owner.Retention;
    private readonly Dictionary<string, long> _waitingFor = new(StringComparer.Ordinal);
    private long _removed, _abandoned, _waiting;
    private int _files, _folders, _refused, _failed;

    private RetentionResult Result => new(_removed, _abandoned, _waiting, _files, _folders, _refused, _failed);

    public IReadOnlyDictionary<string, long> WaitingFor => _waitingFor;

    private void Wait(StoredEvent stored) =>
        _waitingFor[stored.NodeId!] = _waitingFor.GetValueOrDefault(stored.NodeId!) + 1;

    private double? Cutoff => _retention.MaxAge > TimeSpan.Zero ? nowSeconds - _retention.MaxAge.TotalSeconds : null;

    /// <summary>
    /// The sorted set: first the members past the age limit (by score), then the oldest beyond the count limit.
    /// Members left for their nodes stay at the front of each range, so the next page starts after them.
    /// </summary>
    public async Task<RetentionResult> SortedSetAsync()
    {
        var key = owner.Keys.SortedSet;
        var batches = 0;
        if (Cutoff is { } cutoff)
        {
            for (long left = 0; batches < EventRetention.MaxBatchesPerRun; batches++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await database.SortedSetRangeByScoreWithScoresAsync(
                    key, double.NegativeInfinity, cutoff, Exclude.Stop, Order.Ascending, left, EventRetention.BatchSize).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (page.Length == 0) break;
                left += await RemoveMembersAsync(key, page).ConfigureAwait(false);
                if (page.Length < EventRetention.BatchSize) break;
            }
        }
        if (_retention.MaxEvents > 0)
        {
            var excess = await database.SortedSetLengthAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false) - _retention.MaxEvents;
            // Ranks below `excess` are not among the newest max-events; removing some never makes a newer one expire.
            for (long left = 0; left < excess && batches < EventRetention.MaxBatchesPerRun; batches++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await database.SortedSetRangeByRankWithScoresAsync(key, left, Math.Min(excess, left + EventRetention.BatchSize) - 1)
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                if (page.Length == 0) break;
                var kept = await RemoveMembersAsync(key, page).ConfigureAwait(false);
                excess -= page.Length - kept;
                left += kept;
            }
        }
        return Result;
    }

    /// <summary>Decides, removes and deletes one page of expired members; returns how many were left in place.</summary>
    private async Task<long> RemoveMembersAsync(string key, SortedSetEntry[] page)
    {
        var own = new List<(RedisValue Member, StoredEvent Stored)>();
        var abandoned = new List<RedisValue>();
        long kept = 0;
        foreach (var entry in page)
        {
            var stored = EventMember.Read((byte[])entry.Element!);
            switch (RetentionPolicy.Decide(stored.NodeId, entry.Score, owner.Self, heartbeats, nowSeconds, _retention.AbandonAfter))
            {
                case RetentionAction.RemoveAndDelete: own.Add((entry.Element, stored)); break;
                case RetentionAction.RemoveAbandoned: abandoned.Add(entry.Element); break;
                default:
                    kept++;
                    Wait(stored);
                    break;
            }
        }
        if (own.Count > 0)
        {
            _removed += await RemoveIndexedAsync(key, own.Select(o => o.Member).ToArray()).ConfigureAwait(false);
            // Deleted whether this ZREM or another node's removed the member (a record naming no node): the files are ours.
            foreach (var (_, stored) in own) DeleteFiles(stored);
        }
        if (abandoned.Count > 0)
            _abandoned += await RemoveIndexedAsync(key, abandoned.ToArray()).ConfigureAwait(false);
        _waiting += kept;
        return kept;
    }

    /// <summary>ZREM of the members with their index entries, in one script (<see cref="EventIndex.RemoveScript"/>).</summary>
    private async Task<long> RemoveIndexedAsync(string key, RedisValue[] members)
    {
        var (keys, values) = EventIndex.RemoveArguments(owner.Keys with { SortedSet = key }, members);
        return (long)await database.ScriptEvaluateAsync(EventIndex.RemoveScript, keys, values).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every task's list, walked from its tail (the oldest: entries are pushed at the head) until the first entry that
    /// is neither past the age limit nor beyond the newest <c>max-events</c> of that list. An entry pushed late (a
    /// delivery delayed by a Redis outage) is reached once the older ones around it are gone.
    /// </summary>
    public async Task<RetentionResult> ListsAsync()
    {
        var batches = 0;
        await foreach (var list in owner.KeysAsync(owner.Keys.ListPrefix, cancellationToken).ConfigureAwait(false))
        {
            var name = (string)list!;
            // A list prefix that is a prefix of the id sets' ("ev:" and "ev:ids:") would match them too.
            if (EventRetention.IsUnder(name, owner.Keys.ListIdsPrefix, owner.Keys.ListPrefix)) continue;
            var taskKey = name[owner.Keys.ListPrefix.Length..];
            var ids = owner.Keys.ListIdsOf(taskKey);
            var length = await database.ListLengthAsync(list).WaitAsync(cancellationToken).ConfigureAwait(false);
            long left = 0;
            for (var done = false; !done && left < length && batches < EventRetention.MaxBatchesPerRun; batches++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The page ends `left` entries before the tail (those stay), in head-to-tail order: read it backwards.
                var page = await database.ListRangeAsync(list, -(left + EventRetention.BatchSize), -(left + 1)).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (page.Length == 0) break;
                var own = new List<(RedisValue Entry, StoredEvent Stored)>();
                var abandoned = new List<(RedisValue Entry, StoredEvent Stored)>();
                long kept = 0;
                for (var i = page.Length - 1; i >= 0; i--)
                {
                    var fromTail = left + kept + own.Count + abandoned.Count;
                    var stored = ListEventEntry.Read((byte[])page[i]!);
                    var expired = (Cutoff is { } cutoff && stored.Timestamp < cutoff)
                        || (_retention.MaxEvents > 0 && length - 1 - fromTail >= _retention.MaxEvents);
                    if (!expired)
                    {
                        done = true;
                        break;
                    }
                    switch (RetentionPolicy.Decide(stored.NodeId, stored.Timestamp ?? nowSeconds, owner.Self, heartbeats, nowSeconds, _retention.AbandonAfter))
                    {
                        case RetentionAction.RemoveAndDelete: own.Add((page[i], stored)); break;
                        case RetentionAction.RemoveAbandoned: abandoned.Add((page[i], stored)); break;
                        default:
                            kept++;
                            Wait(stored);
                            break;
                    }
                }
                if (own.Count > 0)
                {
                    _removed += await RemoveEntriesAsync(list, ids, own).ConfigureAwait(false);
                    foreach (var (_, stored) in own) DeleteFiles(stored);
                }
                if (abandoned.Count > 0) _abandoned += await RemoveEntriesAsync(list, ids, abandoned).ConfigureAwait(false);
                _waiting += kept;
                length -= own.Count + abandoned.Count;
                left += kept;
                if (page.Length < EventRetention.BatchSize) break;
            }
        }
        return Result;
    }

    private async Task<long> RemoveEntriesAsync(RedisKey list, string ids, List<(RedisValue Entry, StoredEvent Stored)> entries)
    {
        var values = new RedisValue[entries.Count * 2];
        for (var i = 0; i < entries.Count; i++)
        {
            values[2 * i] = entries[i].Entry;
            values[2 * i + 1] = entries[i].Stored.EventId?.ToString("D") ?? "";
        }
        var removed = await database.ScriptEvaluateAsync(RemoveListEntries, [list, ids], values).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)removed;
    }

    private void DeleteFiles(StoredEvent stored)
    {
        foreach (var path in new[] { stored.VideoPath, stored.ImagePath })
        {
            if (path is null) continue;
            switch (owner.Delete(path, ref _folders))
            {
                case EventRetention.DeleteOutcome.Deleted: _files++; break;
                case EventRetention.DeleteOutcome.Refused: _refused++; break;
                case EventRetention.DeleteOutcome.Failed: _failed++; break;
            }
        }
    }
}
