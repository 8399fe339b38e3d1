using Registrator.Actors.Redis;
using StackExchange.Redis;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Events;

namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// One node's share of retention against the shared store: expired records whose files this node holds are removed
/// and their clip, keyframe and emptied folder deleted (through the <see cref="OutputPathGuard"/>); expired records of
/// other live nodes are left to them; those of gone nodes are removed (<see cref="RetentionPolicy"/>). The sorted set
/// (<c>events</c>) or, with <c>store = list</c>, every task's list (<c>custom_events:&lt;key&gt;</c>, with its id set)
/// is trimmed, whichever the node writes. The record goes first, so a reader never finds an event whose files are
/// already gone; a file that then cannot be deleted is an orphan, which <see cref="SweepAsync"/> retries. Run by the
/// <see cref="RetentionActor"/> off its thread.
/// </summary>
public sealed class EventRetention(RedisConnection connection, EventStoreSettings settings, string? self, OutputPathGuard guard)
{
    private const int BatchSize = 1000;
    // One run handles at most this many batches; a backlog larger than that shrinks over the next runs.
    private const int MaxBatchesPerRun = 100;

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

    private readonly RetentionSettings _retention = settings.Retention;
    private readonly RedisKeys _keys = settings.Keys;
    private readonly NodeRegistry _registry = new(connection);

    /// <summary>The only folder whose files a run may delete.</summary>
    public string OutputRoot => guard.Root;

    /// <summary>This node's name as its records carry it; <c>null</c> when it has none.</summary>
    public string? Self => self;

    /// <summary>Tells the registry this node is alive (so other nodes leave its records alone).</summary>
    public Task HeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        self is null ? Task.CompletedTask : _registry.HeartbeatAsync(self, now, cancellationToken);

    /// <summary>Indexes the members written before the indexes existed, once per sorted set (<see cref="EventIndex.BackfillAsync"/>).</summary>
    public async Task<long> BackfillIndexAsync(CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await EventIndex.BackfillAsync(database, _keys, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One run: the result, and how many expired events wait for each other node (for the log).</summary>
    public async Task<(RetentionResult Result, IReadOnlyDictionary<string, long> WaitingFor)> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var nowSeconds = NodeRegistry.Seconds(now);
        var heartbeats = await _registry.ReadAsync(cancellationToken).ConfigureAwait(false);
        await _registry.ForgetAsync(RetentionPolicy.StaleHeartbeats(heartbeats, nowSeconds, _retention.AbandonAfter).ToList(), cancellationToken)
            .ConfigureAwait(false);
        var run = new Run(this, database, heartbeats, nowSeconds, cancellationToken);
        var result = settings.Store == EventStoreKind.List
            ? await run.ListsAsync().ConfigureAwait(false)
            : await run.SortedSetAsync().ConfigureAwait(false);
        return (result, run.WaitingFor);
    }

    /// <summary>
    /// Deletes this node's orphans: files of its output folder older than <c>orphan-grace</c> that no record in Redis
    /// (sorted set or lists, whichever store wrote it) names. The folder is listed before Redis is read, and a failure
    /// reading Redis fails the sweep before anything is deleted: nothing is judged on a partial view.
    /// </summary>
    public async Task<OrphanSweepResult> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var files = await Task.Run(() => ListMediaFiles(guard.Root).Where(OrphanSweep.IsOurs).ToList(), cancellationToken).ConfigureAwait(false);
        if (files.Count == 0) return new OrphanSweepResult(null, 0, 0, 0, 0);
        var known = await KnownEventsAsync(cancellationToken).ConfigureAwait(false);
        int deleted = 0, folders = 0, failed = 0;
        foreach (var orphan in OrphanSweep.Select(files, known, now.UtcDateTime, _retention.OrphanGrace))
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (Delete(orphan.FullPath, ref folders))
            {
                case DeleteOutcome.Deleted: deleted++; break;
                case DeleteOutcome.Refused or DeleteOutcome.Failed: failed++; break;
            }
        }
        return new OrphanSweepResult(null, files.Count, deleted, folders, failed);
    }

    /// <summary>Every event Redis still has a record of (both stores): its id, and for a member the folders its paths lead to.</summary>
    private async Task<HashSet<Guid>> KnownEventsAsync(CancellationToken cancellationToken)
    {
        var known = new HashSet<Guid>();
        void Add(StoredEvent stored)
        {
            if (stored.EventId is { } id) known.Add(id);
            foreach (var folder in stored.Folders())
                if (OrphanSweep.EventOf(folder) is { } named) known.Add(named);
        }
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        // ZSCAN returns every member present for the whole scan; ours that matter are older than the grace period.
        await foreach (var entry in database.SortedSetScanAsync(_keys.SortedSet, pageSize: BatchSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            Add(EventMember.Read((byte[])entry.Element!));
        // The list store: each task's id set, which holds the id of every entry of its list (pushed and removed
        // together). SSCAN has ZSCAN's guarantee; paging a list by index has not, while entries are removed from it.
        await foreach (var ids in KeysAsync(_keys.ListIdsPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (IsUnder(ids!, _keys.ListPrefix, _keys.ListIdsPrefix)) continue;
            await foreach (var id in database.SetScanAsync(ids, pageSize: BatchSize).WithCancellation(cancellationToken).ConfigureAwait(false))
                if (Guid.TryParse((string?)id, out var eventId)) known.Add(eventId);
        }
        return known;
    }

    /// <summary>The keys that start with <paramref name="prefix"/> (SCAN MATCH on each primary): every task's list or id set.</summary>
    private async IAsyncEnumerable<RedisKey> KeysAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var multiplexer = await connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var pattern = GlobEscape(prefix) + "*";
        foreach (var server in multiplexer.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(connection.Settings.Database, pattern, BatchSize).WithCancellation(cancellationToken).ConfigureAwait(false))
                yield return key;
        }
    }

    /// <summary>True when <paramref name="key"/>, found by <paramref name="scanned"/>, belongs to the longer <paramref name="other"/> prefix.</summary>
    private static bool IsUnder(string key, string other, string scanned) =>
        other.Length > scanned.Length && other.StartsWith(scanned, StringComparison.Ordinal) && key.StartsWith(other, StringComparison.Ordinal);

    private static string GlobEscape(string literal)
    {
        var escaped = new System.Text.StringBuilder(literal.Length + 4);
        foreach (var c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '\\') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    /// <summary>The files of the output folder's <c>&lt;uuid&gt;</c> folders; folders that are links are never entered.</summary>
    private static IEnumerable<MediaFile> ListMediaFiles(string root)
    {
        var top = new DirectoryInfo(root);
        if (!top.Exists) yield break;
        foreach (var folder in top.EnumerateDirectories())
        {
            if (folder.LinkTarget is not null || OrphanSweep.EventOf(folder.Name) is null) continue;
            IEnumerable<FileInfo> files;
            try
            {
                files = folder.EnumerateFiles().ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Deleted meanwhile (retention, a finished registration's clean-up) or unreadable: nothing to sweep there.
                continue;
            }
            foreach (var file in files) yield return new MediaFile(folder.Name, file.Name, file.FullName, file.LastWriteTimeUtc);
        }
    }

    private enum DeleteOutcome { Deleted, Missing, Refused, Failed }

    private DeleteOutcome Delete(string path, ref int folders)
    {
        try
        {
            switch (guard.TryDeleteFile(path, out var folderDeleted))
            {
                case OutputPathGuard.Outcome.Deleted:
                    if (folderDeleted) folders++;
                    return DeleteOutcome.Deleted;
                case OutputPathGuard.Outcome.Refused:
                    return DeleteOutcome.Refused;
                default:
                    return DeleteOutcome.Missing;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DeleteOutcome.Failed;
        }
    }

    /// <summary>One run's view: the registry as read at its start, and what it did so far.</summary>
    private sealed class Run(EventRetention owner, IDatabase database, IReadOnlyDictionary<string, double> heartbeats, double nowSeconds, CancellationToken cancellationToken)
    {
        private readonly RetentionSettings _retention = owner._retention;
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
            var key = owner._keys.SortedSet;
            var batches = 0;
            if (Cutoff is { } cutoff)
            {
                for (long left = 0; batches < MaxBatchesPerRun; batches++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var page = await database.SortedSetRangeByScoreWithScoresAsync(
                        key, double.NegativeInfinity, cutoff, Exclude.Stop, Order.Ascending, left, BatchSize).WaitAsync(cancellationToken).ConfigureAwait(false);
                    if (page.Length == 0) break;
                    left += await RemoveMembersAsync(key, page).ConfigureAwait(false);
                    if (page.Length < BatchSize) break;
                }
            }
            if (_retention.MaxEvents > 0)
            {
                var excess = await database.SortedSetLengthAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false) - _retention.MaxEvents;
                // Ranks below `excess` are not among the newest max-events; removing some never makes a newer one expire.
                for (long left = 0; left < excess && batches < MaxBatchesPerRun; batches++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var page = await database.SortedSetRangeByRankWithScoresAsync(key, left, Math.Min(excess, left + BatchSize) - 1)
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
            var (keys, values) = EventIndex.RemoveArguments(owner._keys with { SortedSet = key }, members);
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
            await foreach (var list in owner.KeysAsync(owner._keys.ListPrefix, cancellationToken).ConfigureAwait(false))
            {
                var name = (string)list!;
                // A list prefix that is a prefix of the id sets' ("ev:" and "ev:ids:") would match them too.
                if (IsUnder(name, owner._keys.ListIdsPrefix, owner._keys.ListPrefix)) continue;
                var taskKey = name[owner._keys.ListPrefix.Length..];
                var ids = owner._keys.ListIdsOf(taskKey);
                var length = await database.ListLengthAsync(list).WaitAsync(cancellationToken).ConfigureAwait(false);
                long left = 0;
                for (var done = false; !done && left < length && batches < MaxBatchesPerRun; batches++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // The page ends `left` entries before the tail (those stay), in head-to-tail order: read it backwards.
                    var page = await database.ListRangeAsync(list, -(left + BatchSize), -(left + 1)).WaitAsync(cancellationToken).ConfigureAwait(false);
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
                    if (page.Length < BatchSize) break;
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
                    case DeleteOutcome.Deleted: _files++; break;
                    case DeleteOutcome.Refused: _refused++; break;
                    case DeleteOutcome.Failed: _failed++; break;
                }
            }
        }
    }
}
