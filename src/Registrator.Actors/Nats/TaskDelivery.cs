using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Akka.Util;
using Registrator.Actors.Configuration;
using Registrator.Actors.Tasks;
using Registrator.Contracts;

namespace Registrator.Actors.Nats;

/// <summary>
/// The bridge's one back-pressure idiom, configured once from <see cref="NatsSettings"/>: every inbound message goes to
/// its task through the task region and is answered within <c>ask-timeout</c> (a command's own timeout for commands),
/// inside a <c>SelectAsync</c> stage that holds at most its subject's parallelism of deliveries in flight. A frame or
/// a command is one Ask; a results slice is one delivery whose tasks answer together (<see cref="SliceAnswers"/>). A
/// stream that has them all waiting stops pulling, its subscription fills, and the client stops reading the socket.
/// Each delivery ends as outcomes: nothing when the tasks took the messages, the <see cref="BadInput"/>s to count
/// otherwise; a failed delivery never fails the stream. Cancelled (the subject's actor stopping), it ends quietly.
/// </summary>
internal sealed class TaskDelivery(IActorRef tasks, IActorRefProvider provider, TimeSpan timeout, CancellationToken token)
{
    /// <summary>Cancelled when the subject's actor stops: its Asks and replies end quietly.</summary>
    public CancellationToken Token => token;

    /// <summary>The stage: <paramref name="deliver"/> run with at most <paramref name="parallelism"/> in flight, outcomes in input order unless <paramref name="ordered"/> is false.</summary>
    public static Flow<T, Option<BadInput>, NotUsed> Stage<T>(int parallelism, Func<T, Task<BadInput?>> deliver, bool ordered = true) =>
        ordered
            ? Flow.Create<T>().SelectAsync(parallelism, item => Outcome(deliver(item)))
            : Flow.Create<T>().SelectAsyncUnordered(parallelism, item => Outcome(deliver(item)));

    /// <summary>The stage for deliveries with many outcomes each (a results slice): at most <paramref name="parallelism"/> in flight, in input order.</summary>
    public static Flow<T, Option<BadInput>, NotUsed> Stage<T>(int parallelism, Func<T, Task<IReadOnlyList<BadInput>>> deliver) =>
        Flow.Create<T>().SelectAsync(parallelism, deliver).SelectMany(outcomes => outcomes.Select(Option<BadInput>.Create));

    /// <summary>
    /// A slice's statuses, one <see cref="StatusBatch"/> per key, answered together (<see cref="SliceAnswers"/>): what to
    /// count, nothing when every task took every status. The slice is one unit of the stage's parallelism.
    /// <paramref name="allAnswered"/> runs only if every task answered.
    /// </summary>
    public Task<IReadOnlyList<BadInput>> SliceAsync(IReadOnlyList<StatusBatch> batches, Action? allAnswered = null) =>
        SliceAnswers.Deliver(tasks, provider, batches, timeout, token, allAnswered);

    /// <summary>A frame (or any task message answered Accepted/Rejected): null when accepted.</summary>
    public async Task<BadInput?> MessageAsync(ITaskMessage message)
    {
        var (answer, failure) = await AskAsync<object>(message, message.TaskKey, timeout).ConfigureAwait(false);
        return answer is TaskReplies.Rejected rejected ? Rejected(rejected) : failure;
    }

    /// <summary>
    /// Asks the region; the answer, or what the failure counts as (null with no answer when cancelled because the
    /// subject's actor is stopping).
    /// </summary>
    public async Task<(T? Answer, BadInput? Failure)> AskAsync<T>(object message, string key, TimeSpan askTimeout) where T : class
    {
        try
        {
            return (await tasks.Ask<T>(message, askTimeout, token).ConfigureAwait(false), null);
        }
        catch (Exception e)
        {
            return (null, e switch
            {
                AskTimeoutException => new BadInput(BadInputReason.TaskTimeout, $"[{key}] task did not answer within {askTimeout}"),
                OperationCanceledException when token.IsCancellationRequested => null,
                _ => new BadInput(BadInputReason.TaskFailed, $"[{key}] {e.GetType().Name}: {e.Message}"),
            });
        }
    }

    public static BadInput Rejected(TaskReplies.Rejected rejected) =>
        new(BadInputReason.TaskRejected, $"[{rejected.TaskKey}] rejected in {CommandReply.StateName(rejected.State)}: {rejected.Reason}");

    /// <summary>A stage's result as a stream element (streams carry no nulls): empty when the message went through.</summary>
    public static async Task<Option<BadInput>> Outcome(Task<BadInput?> outcome) =>
        await outcome.ConfigureAwait(false) is { } bad ? Option<BadInput>.Create(bad) : Option<BadInput>.None;
}
