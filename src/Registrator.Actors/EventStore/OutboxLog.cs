using Akka.Event;

namespace Registrator.Actors.EventStore;

/// <summary>
/// What the store says about its outbox file: what recovery and read-back skipped (a few lines, then a count), what is
/// delivered first after a restart, compactions (debug), and a failed file operation with its retry.
/// </summary>
internal sealed class OutboxLog(ILoggingAdapter log)
{
    private const int ProblemsLogged = 10;

    public void Recovered(string file, OutboxRecovery recovery)
    {
        foreach (var problem in recovery.Problems.Take(ProblemsLogged))
        {
            if (problem.AtTail)
                log.Warning("Outbox {0}: skipped its unreadable last line {1} (offset {2}), most likely an append cut short by a crash: {3}",
                    file, problem.LineNumber, problem.Offset, problem.Reason);
            else
                log.Warning("Outbox {0}: skipped unreadable line {1} (offset {2}): {3}", file, problem.LineNumber, problem.Offset, problem.Reason);
        }
        if (recovery.Problems.Count > ProblemsLogged)
            log.Warning("Outbox {0}: skipped {1} more unreadable lines", file, recovery.Problems.Count - ProblemsLogged);
        if (recovery.Pending > 0)
            log.Info("Outbox {0}: {1} events from before the restart are delivered first ({2} already delivered were compacted away)",
                file, recovery.Pending, recovery.Delivered);
    }

    public void RecoveryFailed(string directory, int attempt, Exception cause, TimeSpan delay) =>
        log.Error(cause, "Outbox {0} cannot be opened (attempt {1}); events are not acknowledged until it can. Retrying in {2:g}",
            directory, attempt, delay);

    public void Compacted(string file, OutboxCompaction c)
    {
        if (log.IsDebugEnabled)
            log.Debug("Outbox {0}: compacted from {1} to {2} bytes, {3} undelivered events kept", file, c.LengthBefore, c.LengthAfter, c.Pending);
    }

    public void ReadBack(string file, OutboxBatch batch)
    {
        foreach (var problem in batch.Problems.Take(ProblemsLogged))
            log.Error("Outbox {0}: unreadable line at offset {1} while reading back queued events, skipped: {2}", file, problem.Offset, problem.Reason);
        if (log.IsDebugEnabled) log.Debug("Outbox: read back {0} queued events", batch.Events.Count);
    }

    public void Failed(string file, OutboxOperation operation, int attempt, Exception cause, int waiting, TimeSpan delay) =>
        log.Error(cause, "Outbox {0}: could not {1} it (attempt {2}), {3} events wait unacknowledged; retrying in {4:g}",
            file, Verb(operation), attempt, waiting, delay);

    private static string Verb(OutboxOperation operation) => operation switch
    {
        OutboxOperation.Append => "append to",
        OutboxOperation.Truncate => "truncate",
        OutboxOperation.Compact => "compact",
        _ => "read",
    };
}
