using Akka.Actor;
using Registrator.Actors.Encoding;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;

namespace Registrator.Actors.Tasks;

/// <summary>What <see cref="TaskBehavior"/> asks its actor to do; the actor applies effects in order and decides nothing.</summary>
public abstract record TaskEffect
{
    /// <summary>Send a frame to the key's encoder session.</summary>
    public sealed record Encode(EncodeFrame Job) : TaskEffect;

    /// <summary>Send a cycle's packets to the encoder pool to be muxed into the event's clip.</summary>
    public sealed record Write(WriteClip Job) : TaskEffect;

    /// <summary>Delete a clip the encoder wrote after its registration gave up on it (the event is recorded without it).</summary>
    public sealed record Discard(DiscardClip Job) : TaskEffect;

    /// <summary>Write an opening incident's keyframe (answered before any later clip of the key).</summary>
    public sealed record Keyframe(WriteKeyframe Job) : TaskEffect;

    /// <summary>Publish on the node's event stream (<see cref="IncidentStarted"/>: the NATS bridge announces it).</summary>
    public sealed record Publish(object Event) : TaskEffect;

    /// <summary>Hand a settled event to the event store, which answers <see cref="EventAccepted"/>.</summary>
    public sealed record Record(RegisteredEvent Event, IActorRef ReplyTo) : TaskEffect;

    /// <summary>Tell a registration's requester how it ended (only when no store will).</summary>
    public sealed record Notify(IActorRef To, object Message) : TaskEffect;

    /// <summary>Start the registration's timeout (<c>registrator.task.registration-timeout</c>).</summary>
    public sealed record StartTimeout(Guid EventId) : TaskEffect;

    /// <summary>The registration is over: cancel its timeout.</summary>
    public sealed record CancelTimeout(Guid EventId) : TaskEffect;

    /// <summary>Ask the shard to stop this entity (DeleteTask): newer messages wait for the next incarnation.</summary>
    public sealed record Passivate : TaskEffect
    {
        public static readonly Passivate Instance = new();
    }

    /// <summary>Stop now: the shard asked, no registration is in flight any more and every frame is back from the encoder.</summary>
    public sealed record StopSelf : TaskEffect
    {
        public static readonly StopSelf Instance = new();
    }

    /// <summary>A line for the log at information level (rare events only: never on the per-frame path).</summary>
    public sealed record Log(string Template, object[] Arguments) : TaskEffect;
}
