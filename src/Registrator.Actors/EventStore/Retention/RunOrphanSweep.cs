using Akka.Actor;

namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// Asks the node's <see cref="RetentionActor"/> to sweep its output folder for orphans now rather than on its timer.
/// Answered with the sweep's <see cref="OrphanSweepResult"/>, or <see cref="Status.Failure"/> when Redis or the disk
/// failed it (then nothing was deleted on a partial view). A request during a sweep gets that sweep's result.
/// </summary>
public sealed class RunOrphanSweep : INoSerializationVerificationNeeded
{
    public static readonly RunOrphanSweep Instance = new();
    private RunOrphanSweep() { }
}
