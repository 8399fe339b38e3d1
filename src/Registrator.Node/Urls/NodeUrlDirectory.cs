using Akka.Actor;
using Akka.DistributedData;

namespace Registrator.Node.Urls;

/// <summary>
/// Which HTTP base URL each cluster member serves the page and API on, so a page on any node can name (and link) the
/// node that hosts a task. Every node with HTTP writes its own entry (<see cref="NodeUrlPublisher"/>) into a
/// replicated dictionary, member address → URL; reads are local, so a node that just joined shows up within one
/// gossip round (<c>akka.cluster.distributed-data.gossip-interval</c>, 2 s by default).
/// </summary>
/// <remarks>
/// Distributed Data rather than a message of our own: its values cross nodes with Akka's own serializer, and
/// entries need no owner to stay available when the node that asks is not the one that wrote them. Entries of members
/// that left stay in the dictionary; readers look up only the addresses they are given.
/// </remarks>
internal static class NodeUrlDirectory
{
    public static readonly LWWDictionaryKey<string, string> Key = new("registrator-http-urls");

    /// <summary>The URLs known on this node, by member address (<see cref="Address.ToString"/>); empty when none yet.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(ActorSystem system, TimeSpan timeout, CancellationToken cancellation)
    {
        var replicator = DistributedData.Get(system).Replicator;
        var answer = await replicator.Ask<IGetResponse>(Dsl.Get(Key, ReadLocal.Instance), timeout, cancellation).ConfigureAwait(false);
        return answer is GetSuccess success
            ? success.Get(Key).Entries
            : new Dictionary<string, string>();
    }
}
