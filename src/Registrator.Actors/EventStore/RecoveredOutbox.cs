namespace Registrator.Actors.EventStore;

/// <summary>
/// The outbox as the store finds it at start: opened (its folder locked), read, compacted. Opening runs off the actor's
/// thread; the actor only waits for this result, or retries with back-off when the folder cannot be opened.
/// </summary>
internal sealed record RecoveredOutbox(Outbox Outbox, OutboxRecovery Recovery) : ISelfMessage
{
    /// <summary>Opens and recovers the outbox in <paramref name="directory"/>, keeping at most <paramref name="maxInMemory"/> events in memory.</summary>
    public static Task<RecoveredOutbox> OpenAsync(string directory, Func<string, bool> knownSink, int maxInMemory) =>
        Task.Run(() =>
        {
            var outbox = Outbox.Open(directory, knownSink);
            try
            {
                return new RecoveredOutbox(outbox, outbox.Recover(maxInMemory));
            }
            catch
            {
                // The folder's lock goes with it: the next attempt opens it again.
                outbox.Dispose();
                throw;
            }
        });

}
