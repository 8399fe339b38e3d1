using Akka.Actor;
using Akka.Event;

namespace Registrator.Actors.Sharding;

/// <summary>
/// Recognises the messages a shard region throws away during a hand-off. A region that owns a shard buffers what
/// arrives for it between BeginHandOff and HandOff (the shard's home is unknown then) and, on HandOff, drops that
/// buffer to dead letters "to avoid re-ordering" (ShardRegion.cs, Akka.NET 1.5.73). Those are frames and statuses a
/// camera already sent: nothing else will ever deliver them.
/// </summary>
public static class HandOffDrop
{
    /// <summary>The reason Akka.NET's ShardRegion gives the messages it drops on HandOff.</summary>
    public const string Reason = "Avoiding reordering of buffered messages at shard handoff";

    /// <summary>
    /// True when <paramref name="letter"/> is a message a region dropped on HandOff; then <paramref name="message"/>
    /// is what was sent to the region and <paramref name="sender"/> who sent it (an Ask's temporary actor waits for the
    /// answer still).
    /// </summary>
    public static bool TryRead(AllDeadLetters letter, out object message, out IActorRef sender)
    {
        // The region tells DeadLetters a Dropped; the dead-letter actor publishes it wrapped in a DeadLetter.
        var dropped = letter as Dropped ?? letter.Message as Dropped;
        if (dropped is not null && string.Equals(dropped.Reason, Reason, StringComparison.Ordinal))
        {
            (message, sender) = (dropped.Message, dropped.Sender);
            return true;
        }
        (message, sender) = (letter, ActorRefs.Nobody);
        return false;
    }
}
