using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Registrator.Actors.Tasks;

namespace Registrator.Actors.Nats;

/// <summary>
/// The <see cref="NatsBridge"/>'s actor for <c>results-subject</c> (<c>inference.results</c>):
/// <code>
///   subscription (results-pending-capacity) ─► parse once ─► slice (results-batch, results-batch-window) ─► StatusBatch per key ─► Ask (results-in-flight) ─► outcomes
/// </code>
/// While the batches' Asks are all in flight, what arrives meanwhile gathers into one slice, and each key of a slice gets
/// its statuses as one <see cref="StatusBatch"/> in arrival order: a quiet stream goes through one result at a time, a
/// flood in ever larger batches. The subscription holds many results (unlike the other subjects'), so a publisher far
/// faster than the tasks fills this node's memory for a while instead of making nats-server wait on its socket: the
/// server cuts off a client whose socket takes no more for its write deadline (10 s), and everything it held for the
/// client is lost. Created by the bridge only.
/// </summary>
internal sealed class ResultsSubscriber(BridgeContext bridge) : NatsSubjectActor(bridge, ConnectionRole, bridge.Settings.ResultsSubject)
{
    private const string ConnectionRole = "results";

    public static Props Props(BridgeContext bridge) => Akka.Actor.Props.Create(() => new ResultsSubscriber(bridge));

    protected override UniqueKillSwitch Run(IMaterializer materializer)
    {
        var (settings, delivery) = (Settings, Delivery);
        return Subscription(settings.MaxPayload, settings.ResultsPendingCapacity)
            .Select(message => InferenceResult.Parse(message.Data, settings))
            .GroupedWithin(settings.ResultsBatch, settings.ResultsBatchWindow)
            .SelectMany(slice => ResultSlice.ByKey(slice as IReadOnlyList<Parsed<KeyedStatus>> ?? [.. slice]))
            .Via(TaskDelivery.Stage<object>(settings.ResultsInFlight, item => item is StatusBatch batch
                ? delivery.StatusesAsync(batch)
                : Task.FromResult<BadInput?>((BadInput)item)))
            .ToMaterialized(Outcomes(), Keep.Left)
            .Run(materializer);
    }
}
