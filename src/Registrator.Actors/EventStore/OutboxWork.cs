namespace Registrator.Actors.EventStore;

/// <summary>
/// Runs one <see cref="OutboxOperation"/> on the file, off the actor's thread. Its result is what the actor needs to
/// go on: the add lines' offsets (Append), the new spill offset (Compact), the events read back (Refill).
/// </summary>
internal static class OutboxWork
{
    /// <param name="inMemory">Events in the delivery queue: its window is the first undelivered adds in the file,
    /// and can only shrink until a compaction is done.</param>
    /// <param name="spillOffset">Where the delivery queue's spilled events start (Refill only).</param>
    public static Task<object> Start(Outbox outbox, OutboxOperation operation, int inMemory, long? spillOffset, int maxInMemory) =>
        operation switch
        {
            // Done lines first, then the adds; flushed to disk when it holds adds (their EventAccepted waits for it).
            OutboxOperation.Append append => Task.Run<object>(() =>
            {
                var lines = new List<byte[]>(append.Done.Count + append.Adds.Count);
                lines.AddRange(append.Done.Select(OutboxLine.Done));
                lines.AddRange(append.Adds.Select(a => OutboxLine.Added(a.Pending)));
                return outbox.Append(lines, durable: append.Adds.Count > 0).Skip(append.Done.Count).ToArray();
            }),
            OutboxOperation.Truncate => Task.Run<object>(() =>
            {
                outbox.Truncate();
                return operation;
            }),
            OutboxOperation.Compact compact => Task.Run<object>(() => outbox.CompactLive(compact.Done.ToHashSet(), inMemory)),
            _ => Task.Run<object>(() => outbox.ReadFrom(spillOffset!.Value, maxInMemory)),
        };

}
