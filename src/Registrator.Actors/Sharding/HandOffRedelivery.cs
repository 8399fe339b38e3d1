using Akka.Actor;
using Akka.Event;
using Registrator.Actors.Metrics;

namespace Registrator.Actors.Sharding;

/// <summary>
/// Sends what the node's shard region dropped during a hand-off (<see cref="HandOffDrop"/>) back to the region, with
/// its original sender, so it reaches the task's next incarnation wherever the shard moved. The region buffers it
/// again until the coordinator names the shard's new home. The dropped messages keep their order among themselves;
/// a message sent in the few milliseconds between the drop and the resend may overtake them, which the task's
/// reorder window absorbs for frames (statuses of one key may swap places with those few).
/// </summary>
public sealed class HandOffRedelivery : ReceiveActor
{
    public const string DefaultName = "handoff-redelivery";

    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly IActorRef _region;
    private readonly RegistratorMetrics _metrics;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _sinceLogged;
    private DateTime _lastLogged = DateTime.MinValue;

    public HandOffRedelivery(IActorRef region)
    {
        _region = region;
        _metrics = RegistratorMetrics.For(Context.System);
        Receive<AllDeadLetters>(Redeliver);
    }

    public static Props Props(IActorRef region) => Akka.Actor.Props.Create(() => new HandOffRedelivery(region));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(AllDeadLetters));
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void Redeliver(AllDeadLetters letter)
    {
        if (!HandOffDrop.TryRead(letter, out var message, out var sender)) return;
        _region.Tell(message, sender);
        _metrics.HandOffRedelivered();
        _sinceLogged++;
        var now = DateTime.UtcNow;
        if (now - _lastLogged < LogInterval) return;
        // A rolling restart drops a handful per moving shard: one line per interval, with the count.
        _log.Info("Sent {0} message(s) the shard region dropped during a hand-off back through the region (last: {1})",
            _sinceLogged, message.GetType().Name);
        (_sinceLogged, _lastLogged) = (0, now);
    }
}
