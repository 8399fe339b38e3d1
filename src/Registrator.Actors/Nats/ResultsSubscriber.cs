using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Registrator.Actors.Tasks;

namespace Registrator.Actors.Nats;

/// <summary>
/// The <see cref="NatsBridge"/>'s actor for <c>results-subject</c> (<c>inference.results</c>):
/// <code>
///   subscription (results-pending-capacity) ─► parse once ─► slice (results-batch, results-batch-window) ─► StatusBatch per key, answered together (results-in-flight slices) ─► outcomes
/// </code>
/// While results-in-flight slices wait for their tasks, what arrives meanwhile gathers into the next slice, and each key
/// of a slice gets its statuses as one <see cref="StatusBatch"/> in arrival order: a quiet stream goes through one
/// result at a time, a flood in ever larger batches. The tasks of a slice answer one <see cref="SliceAnswers"/>.
/// The subscription holds many results (unlike the other subjects'), so a publisher far faster than the tasks fills
/// this node's memory for a while instead of making nats-server wait on its socket: the server cuts off a client whose
/// socket takes no more for its write deadline (10 s), and everything it held for the client is lost. Their bodies
/// share the chunks of a <see cref="PayloadArena"/>. Created by the bridge only.
/// </summary>
internal sealed class ResultsSubscriber(BridgeContext bridge) : NatsSubjectActor(bridge, ConnectionRole, bridge.Settings.ResultsSubject)
{
    private const string ConnectionRole = "results";

    /// <summary>Results that enter the graph from the client's channel at once (about 120 kB of 113-byte results).</summary>
    private const int HandOver = 1024;

    public static Props Props(BridgeContext bridge) => Akka.Actor.Props.Create(() => new ResultsSubscriber(bridge));

    protected override UniqueKillSwitch Run(IMaterializer materializer)
    {
        var (settings, delivery, keys) = (Settings, Delivery, new KeyCache());
        return Subscription(settings.MaxPayload, settings.ResultsPendingCapacity, HandOver, new PayloadArena(), body =>
            {
                var parsed = InferenceResult.Parse(body, settings, keys);
                // A result that did not parse is only counted: its body's share of the chunk is free now. A status's
                // message stays there until its task has answered (DeliverAsync).
                if (!parsed.IsValid) PayloadArena.Release(body);
                return parsed;
            })
            .GroupedWeightedWithin(settings.ResultsBatch, settings.ResultsBatchWindow, results => results.Count)
            .Via(TaskDelivery.Stage<IEnumerable<IReadOnlyList<Parsed<KeyedStatus>>>>(settings.ResultsInFlight, slice => DeliverAsync(delivery, slice)))
            .ToMaterialized(Outcomes(), Keep.Left)
            .Run(materializer);
    }

    /// <summary>One slice to its tasks, a batch per key answered together; the results that did not parse count too.</summary>
    private static async Task<IReadOnlyList<BadInput>> DeliverAsync(TaskDelivery delivery, IEnumerable<IReadOnlyList<Parsed<KeyedStatus>>> slice)
    {
        var batches = new List<StatusBatch>();
        var bad = new List<BadInput>();
        foreach (var item in ResultSlice.ByKey(slice.SelectMany(results => results)))
        {
            if (item is StatusBatch batch) batches.Add(batch);
            else bad.Add((BadInput)item);
        }
        // Once every task has answered, none reads its statuses' messages again: their chunks can be reused. A task
        // silent past the timeout may still read them, so then the chunks are left to the GC.
        var outcomes = await delivery.SliceAsync(batches, () =>
        {
            foreach (var results in slice)
                foreach (var result in results)
                    result.Value?.Chunk?.Release();
        }).ConfigureAwait(false);
        if (bad.Count == 0) return outcomes;
        bad.AddRange(outcomes);
        return bad;
    }
}
