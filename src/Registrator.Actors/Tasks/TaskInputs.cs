using Akka.Actor;
using Akka.Event;

namespace Registrator.Actors.Tasks;

/// <summary>A registration's timeout fired (a timer of the task's own).</summary>
public sealed record RegistrationTimedOut(Guid EventId) : IDeadLetterSuppression, INoSerializationVerificationNeeded;

/// <summary>Time to release frames that waited the whole reorder window (a periodic timer while frames wait).</summary>
public sealed class ReleaseReorderedFrames : IDeadLetterSuppression, INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout
{
    public static readonly ReleaseReorderedFrames Instance = new();
    private ReleaseReorderedFrames() { }
}

/// <summary>
/// The shard (hand-off, passivation) asked the entity to stop; it does once no registration is in flight and every
/// frame it sent to the encoder is back, so the value it leaves behind is complete.
/// </summary>
/// <param name="KeepState">The value goes to the next incarnation (hand-off, idle passivation); false after DeleteTask.</param>
public sealed record StopRequested(bool KeepState = false)
{
    public static readonly StopRequested Instance = new();
}

/// <summary>Capture time moves on while a <c>span</c> incident is open and nothing arrives (a periodic timer): it may close.</summary>
public sealed class SpanTick : IDeadLetterSuppression, INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout
{
    public static readonly SpanTick Instance = new();
    private SpanTick() { }
}
