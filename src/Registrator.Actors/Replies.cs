using Akka.Actor;

namespace Registrator.Actors;

/// <summary>How the node's actors answer: a fire-and-forget producer, or a task registering by itself, passes Nobody.</summary>
internal static class Replies
{
    /// <summary>Tells <paramref name="recipient"/> unless it is Nobody or the dead letters, where an answer would only be noise.</summary>
    public static void TellIfListening(this IActorRef recipient, object message, ActorSystem system)
    {
        if (recipient.IsNobody() || recipient.Equals(system.DeadLetters)) return;
        recipient.Tell(message);
    }

    /// <summary>The exception a piped task failed with: <c>PipeTo</c> hands over the task's AggregateException.</summary>
    public static Exception Unwrap(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : exception;
}
