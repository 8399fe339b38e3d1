using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.Redis;
using StackExchange.Redis;

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
    internal const int BatchSize = 1000;
    // One run handles at most this many batches; a backlog larger than that shrinks over the next runs.
    internal const int MaxBatchesPerRun = 100;

    private readonly RetentionSettings _retention = settings.Retention;
    private readonly RedisKeys _keys = settings.Keys;
    private readonly NodeRegistry _registry = new(connection);

    internal RetentionSettings Retention => _retention;
    internal RedisKeys Keys => _keys;

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
        var run = new RetentionRun(this, database, heartbeats, nowSeconds, cancellationToken);
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
    internal async IAsyncEnumerable<RedisKey> KeysAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
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
    internal static bool IsUnder(string key, string other, string scanned) =>
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

    internal enum DeleteOutcome { Deleted, Missing, Refused, Failed }

    internal DeleteOutcome Delete(string path, ref int folders)
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
}
