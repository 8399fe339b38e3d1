using Akka.Actor;

namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// Asks the node's <see cref="RetentionActor"/> to run retention now rather than on its timer (an operator, a test).
/// Answered with the run's <see cref="RetentionResult"/>, or <see cref="Status.Failure"/> when Redis failed it. A request
/// during a run gets that run's result.
/// </summary>
public sealed class RunRetention : INoSerializationVerificationNeeded
{
    public static readonly RunRetention Instance = new();
    private RunRetention() { }
}
