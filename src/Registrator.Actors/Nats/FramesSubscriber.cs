using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Nats;

/// <summary>
/// The <see cref="NatsBridge"/>'s actor for <c>frames-subject</c> (<c>registrator.frames</c>):
/// <code>
///   subscription (frame-pending-capacity) ─► decode on the thread pool (decode-parallelism) ─► AddFrame ─► Ask (parallelism) ─► outcomes
/// </code>
/// Both stages are ordered, so frames reach their task in the order they were published. Created by the bridge only.
/// </summary>
internal sealed class FramesSubscriber(BridgeContext bridge) : NatsSubjectActor(bridge, ConnectionRole, bridge.Settings.FramesSubject)
{
    private const string ConnectionRole = "frames";

    public static Props Props(BridgeContext bridge) => Akka.Actor.Props.Create(() => new FramesSubscriber(bridge));

    protected override UniqueKillSwitch Run(IMaterializer materializer)
    {
        var (settings, delivery, token) = (Settings, Delivery, ShutdownToken);
        return Subscription(settings.MaxFramePayload, settings.FramePendingCapacity)
            .SelectAsync(settings.DecodeParallelism, message => Task.Run(() => FrameMessage.ToAddFrame(message.Headers, message.Data, settings), token))
            .Via(TaskDelivery.Stage<Parsed<AddFrame>>(settings.Parallelism, parsed => parsed.Value is { } frame
                ? delivery.MessageAsync(frame)
                : Task.FromResult(parsed.Error)))
            .ToMaterialized(Outcomes(), Keep.Left)
            .Run(materializer);
    }
}
