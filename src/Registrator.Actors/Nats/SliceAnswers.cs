using System.Collections.Concurrent;
using Akka.Actor;
using Registrator.Actors.Tasks;

namespace Registrator.Actors.Nats;

/// <summary>
/// Where the tasks of one results slice answer their <see cref="StatusBatch"/>es: a temporary actor reference (as an
/// Ask's, registered under the node's temp path so tasks on other nodes reach it too) that takes one
/// <see cref="StatusBatchAnswer"/> per key of the slice and completes when all have answered, or when
/// <see cref="Deliver"/>'s timeout ends the wait and the keys still silent count as timed out. One of these per slice
/// instead of one Ask per key: with 1,000 keys a slice holds a few results per key, and an Ask each (a promise, a
/// timer, a continuation on the thread pool) cost more than the tasks' work.
/// </summary>
internal sealed class SliceAnswers : MinimalActorRef
{
    // Tasks answer from many threads at once; a lock here was contended, and so were a ConcurrentDictionary's. The keys'
    // positions are written once, before any answer, and only read after; each position is claimed exactly once
    // (Interlocked): by its key's answer or, once the wait ended, by Finish, which first waits out the answers being taken.
    private readonly Dictionary<string, int> _positions;
    private readonly IReadOnlyList<StatusBatch> _batches;
    private readonly int[] _claimed;
    private readonly ConcurrentQueue<BadInput> _outcomes = new();
    private readonly TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;
    private int _finished;
    private int _answering;

    private SliceAnswers(IActorRefProvider provider, IReadOnlyList<StatusBatch> batches)
    {
        Provider = provider;
        Path = provider.TempPath();
        _batches = batches;
        _positions = new Dictionary<string, int>(batches.Count, StringComparer.Ordinal);
        for (var i = 0; i < batches.Count; i++) _positions[batches[i].TaskKey] = i;
        _claimed = new int[batches.Count];
        _waiting = _positions.Count;
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    /// <summary>
    /// Sends each batch to its task through <paramref name="tasks"/> (the region) and waits for their answers: what to
    /// count (rejections, keys silent past <paramref name="timeout"/>), nothing when every task took every status.
    /// Cancelled, it ends with what has been answered and counts no silence. <paramref name="allAnswered"/> runs once
    /// every task has answered (at once for no batches), never after a timeout or cancel: then a task may still be
    /// reading its batch.
    /// </summary>
    public static async Task<IReadOnlyList<BadInput>> Deliver(IActorRef tasks, IActorRefProvider provider, IReadOnlyList<StatusBatch> batches,
        TimeSpan timeout, CancellationToken token, Action? allAnswered = null)
    {
        if (batches.Count == 0)
        {
            allAnswered?.Invoke();
            return [];
        }
        var answers = new SliceAnswers(provider, batches);
        provider.RegisterTempActor(answers, answers.Path);
        try
        {
            // In stream order: the region keeps one sender's messages to a key in the order they were sent.
            foreach (var batch in batches) tasks.Tell(new Akka.Cluster.Sharding.ShardingEnvelope(batch.TaskKey, batch), answers);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
            var waited = await Task.WhenAny(answers._allAnswered.Task, Task.Delay(timeout, wait.Token)).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            if (waited == answers._allAnswered.Task) allAnswered?.Invoke();
            return answers.Finish(countSilence: waited != answers._allAnswered.Task && !token.IsCancellationRequested, timeout);
        }
        finally
        {
            provider.UnregisterTempActor(answers.Path);
        }
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is not StatusBatchAnswer answer) return;
        Interlocked.Increment(ref _answering);
        try
        {
            // A second answer, or one after the wait ended, finds its key gone.
            if (Volatile.Read(ref _finished) != 0 || !_positions.TryGetValue(answer.TaskKey, out var at)
                || Interlocked.Exchange(ref _claimed[at], 1) != 0) return;
            var sent = _batches[at].Statuses.Length;
            if (answer.Rejected > 0)
                _outcomes.Enqueue(new BadInput(BadInputReason.TaskRejected,
                    $"[{answer.TaskKey}] {answer.Rejected} of {sent} statuses rejected in {CommandReply.StateName(answer.State)}: {answer.RejectReason}",
                    answer.Rejected));
            if (Interlocked.Decrement(ref _waiting) == 0) _allAnswered.TrySetResult();
        }
        finally
        {
            Interlocked.Decrement(ref _answering);
        }
    }

    private List<BadInput> Finish(bool countSilence, TimeSpan timeout)
    {
        Interlocked.Exchange(ref _finished, 1); // a full fence: an answer either sees it or is waited out below
        var spin = new SpinWait();
        while (Volatile.Read(ref _answering) != 0) spin.SpinOnce();
        for (var at = 0; at < _batches.Count; at++)
            if (Interlocked.Exchange(ref _claimed[at], 1) == 0 && countSilence)
                _outcomes.Enqueue(new BadInput(BadInputReason.TaskTimeout, $"[{_batches[at].TaskKey}] task did not answer within {timeout}",
                    _batches[at].Statuses.Length));
        return [.. _outcomes];
    }
}
