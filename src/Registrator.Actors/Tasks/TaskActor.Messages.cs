using Akka.Actor;
using Akka.Event;

namespace Registrator.Actors.Tasks;

// The actor's own control messages: the shard's stops, its timers' ticks.
public sealed partial class TaskActor
{
    /// <summary>
    /// Stops the entity. Sent by the entity itself through its shard (passivation, DeleteTask) and by sharding
    /// on hand-off; registrations in flight finish first.
    /// </summary>
    public sealed class Stop : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly Stop Instance = new();
        private Stop() { }
    }

    /// <summary>
    /// The task's idle check: a receive timeout would cancel and reschedule a timer for every status, the task's most
    /// frequent message; this periodic check costs one timestamp per message instead.
    /// </summary>
    private sealed class IdleCheck : IDeadLetterSuppression, INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout
    {
        public static readonly IdleCheck Instance = new();
        private IdleCheck() { }
    }

    /// <summary>
    /// Stops the entity after its own passivation (idle, DeleteTask): sent back by its shard. Unlike the shard's
    /// hand-off <see cref="Stop"/>, a deleted task leaves no state behind.
    /// </summary>
    public sealed class PassivateStop : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly PassivateStop Instance = new();
        private PassivateStop() { }
    }

    private sealed class RestoreTimedOut : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly RestoreTimedOut Instance = new();
        private RestoreTimedOut() { }
    }
}
