using Akka.Actor;
using Registrator.Contracts;

namespace Registrator.Actors.Nats;

/// <summary>
/// Receives the tasks' answers to the statuses a <see cref="NatsBridge"/> stream sent with Tell: each answer returns a
/// credit to the stream's <see cref="DeliveryWindow"/>; rejections and lost messages are reported to the bridge, which
/// counts and logs them. A child of the bridge.
/// </summary>
internal sealed class DeliveryAcknowledger : ReceiveActor, IWithTimers
{
    /// <summary>Sent to the bridge: <paramref name="Count"/> messages of <paramref name="Subject"/> went wrong this way.</summary>
    public sealed record Problem(string Subject, BadInput Input, long Count = 1) : INoSerializationVerificationNeeded;

    private sealed class Check : INoSerializationVerificationNeeded
    {
        public static readonly Check Instance = new();
        private Check() { }
    }

    private readonly TimeSpan _timeout;

    public DeliveryAcknowledger(DeliveryWindow window, string subject, IActorRef bridge, TimeSpan timeout)
    {
        _timeout = timeout;
        Receive<TaskReplies.Accepted>(_ => window.Answered());
        Receive<TaskReplies.Rejected>(rejected =>
        {
            window.Answered();
            bridge.Tell(new Problem(subject, new BadInput(BadInputReason.TaskRejected,
                $"[{rejected.TaskKey}] rejected in {CommandReply.StateName(rejected.State)}: {rejected.Reason}")));
        });
        Receive<Check>(_ =>
        {
            var lost = window.ReclaimIfStalled();
            if (lost > 0)
                bridge.Tell(new Problem(subject, new BadInput(BadInputReason.TaskTimeout, $"{lost} messages not answered within {timeout}"), lost));
        });
    }

    protected override void PreStart() => Timers.StartPeriodicTimer(Check.Instance, Check.Instance, _timeout);

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(DeliveryWindow window, string subject, IActorRef bridge, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new DeliveryAcknowledger(window, subject, bridge, timeout));
}
