using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Actors.Events;

/// <summary>
/// Removes old events from the sorted set (older than <see cref="RetentionSettings.MaxAge"/>, and beyond the newest
/// <see cref="RetentionSettings.MaxEvents"/>) and then deletes their clip, keyframe and emptied folder through the
/// <see cref="OutputPathGuard"/>. Run by the <see cref="EventStoreActor"/> on its timer; the member is removed first,
/// so a reader never finds an event whose files are already gone.
/// </summary>
public sealed class EventRetention(RedisConnection connection, string sortedSetKey, RetentionSettings settings, OutputPathGuard guard)
{
    private const int BatchSize = 1000;
    // One run removes at most this many batches; a backlog larger than that shrinks over the next runs.
    private const int MaxBatchesPerRun = 100;

    /// <summary>The only folder whose files a run may delete.</summary>
    public string OutputRoot => guard.Root;

    public async Task<RetentionResult> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var total = RetentionResult.None;
        for (var batch = 0; batch < MaxBatchesPerRun; batch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var expired = await SelectAsync(database, now).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (expired.Length == 0) break;
            var removed = await database.SortedSetRemoveAsync(sortedSetKey, expired).WaitAsync(cancellationToken).ConfigureAwait(false);
            total = total.Add(DeleteProofs(expired) with { Removed = removed });
            if (expired.Length < BatchSize) break;
        }
        return total;
    }

    /// <summary>The oldest members past the age limit, else the oldest beyond the count limit; at most one batch.</summary>
    private async Task<RedisValue[]> SelectAsync(IDatabase database, DateTimeOffset now)
    {
        if (settings.MaxAge > TimeSpan.Zero)
        {
            var cutoff = (now - settings.MaxAge).ToUnixTimeMilliseconds() / 1000.0;
            var old = await database.SortedSetRangeByScoreAsync(
                sortedSetKey, double.NegativeInfinity, cutoff, Exclude.Stop, Order.Ascending, 0, BatchSize).ConfigureAwait(false);
            if (old.Length > 0) return old;
        }
        if (settings.MaxEvents > 0)
        {
            var count = await database.SortedSetLengthAsync(sortedSetKey).ConfigureAwait(false);
            var excess = count - settings.MaxEvents;
            if (excess > 0)
                return await database.SortedSetRangeByRankAsync(sortedSetKey, 0, Math.Min(excess, BatchSize) - 1).ConfigureAwait(false);
        }
        return [];
    }

    private RetentionResult DeleteProofs(RedisValue[] members)
    {
        int files = 0, folders = 0, refused = 0, failed = 0;
        foreach (var member in members)
        {
            var (video, image) = EventMember.ProofsOf((byte[])member!);
            foreach (var path in new[] { video, image })
            {
                if (path is null) continue;
                try
                {
                    switch (guard.TryDeleteFile(path, out var folderDeleted))
                    {
                        case OutputPathGuard.Outcome.Deleted:
                            files++;
                            if (folderDeleted) folders++;
                            break;
                        case OutputPathGuard.Outcome.Refused:
                            refused++;
                            break;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left behind and counted; the member is gone either way, so it is not retried.
                    failed++;
                }
            }
        }
        return new RetentionResult(0, files, folders, refused, failed);
    }
}
