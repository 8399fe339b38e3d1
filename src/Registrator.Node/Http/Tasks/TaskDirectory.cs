using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Contracts;
using Registrator.Node.Urls;

namespace Registrator.Node.Http.Tasks;

/// <summary>
/// The tasks alive anywhere in the cluster, for <c>GET /api/tasks</c>: the coordinator names the shard regions
/// (<see cref="GetCurrentRegions"/>, through this node's region or proxy), each region lists its shards' entities
/// (<see cref="GetShardRegionState"/>), and each entity is asked for its snapshot at its own path on its own node.
/// </summary>
/// <remarks>
/// Asking the entity's path rather than the region is what keeps a read from creating a task: the region would start
/// an entity for any key it is given, the path reaches only one that runs. An entity that stops between the listing
/// and the question (passivated, handed off) does not answer and is counted in <see cref="TaskListing.Unanswered"/>.
/// Tasks that passivated when idle are not alive and are not listed (their state waits in Redis for the next message).
/// </remarks>
internal sealed class TaskDirectory(NodeContext node)
{
    /// <summary>The shard region of tasks on a registrator node, as ClusterSharding names it.</summary>
    private static readonly string[] RegionPath = ["system", "sharding", RegistratorCluster.TaskTypeName];

    /// <summary>Up to <paramref name="limit"/> tasks (by key, ordinal), with the node each runs on.</summary>
    /// <exception cref="InvalidOperationException">The node's actors have not started yet.</exception>
    /// <exception cref="AskTimeoutException">The coordinator did not answer within <c>registrator.http.ask-timeout</c>.</exception>
    public async Task<TaskListing> ListAsync(int limit, CancellationToken cancellation)
    {
        if (!node.TryGetRegion(out var system, out var region)) throw new InvalidOperationException("the node is starting: no task region yet");
        var timeout = node.Http.AskTimeout;
        var regions = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, timeout, cancellation).ConfigureAwait(false);
        var urls = await NodeUrlDirectory.ReadAsync(system, timeout, cancellation).ConfigureAwait(false);
        var states = await Task.WhenAll(regions.Regions.Select(address => RegionStateAsync(system, address, timeout, cancellation))).ConfigureAwait(false);

        var entities = states
            .SelectMany(s => s.State?.Shards.SelectMany(shard => shard.EntityIds.Select(id => (s.Address, shard.ShardId, EntityId: id))) ?? [])
            .OrderBy(e => e.EntityId, StringComparer.Ordinal)
            .ToList();
        var asked = entities.Take(limit).ToList();
        var answers = await Task.WhenAll(asked.Select(e => SnapshotAsync(system, e.Address, e.ShardId, e.EntityId, timeout, cancellation))).ConfigureAwait(false);

        var tasks = new List<HostedTask>(asked.Count);
        for (var i = 0; i < asked.Count; i++)
        {
            if (answers[i] is { } snapshot) tasks.Add(new HostedTask(snapshot, asked[i].Address.ToString(), UrlOf(urls, asked[i].Address)));
        }
        var nodes = states
            .Select(s => new RegionSummary(s.Address.ToString(), UrlOf(urls, s.Address), s.State is not null,
                s.State?.Shards.Count ?? 0, s.State?.Shards.Sum(shard => shard.EntityIds.Count) ?? 0))
            .OrderBy(r => r.Address, StringComparer.Ordinal)
            .ToList();
        return new TaskListing(tasks, nodes, Total: entities.Count, Unanswered: asked.Count - tasks.Count);
    }

    private static string? UrlOf(IReadOnlyDictionary<string, string> urls, Address address) =>
        urls.TryGetValue(address.ToString(), out var url) ? url : null;

    private static async Task<(Address Address, CurrentShardRegionState? State)> RegionStateAsync(
        ActorSystem system, Address address, TimeSpan timeout, CancellationToken cancellation)
    {
        try
        {
            var path = new RootActorPath(address) / RegionPath;
            return (address, await system.ActorSelection(path).Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout, cancellation).ConfigureAwait(false));
        }
        catch (AskTimeoutException)
        {
            // A region that is starting, leaving or unreachable: listed as not answering, the others still show.
            return (address, null);
        }
    }

    private static async Task<TaskReplies.TaskSnapshot?> SnapshotAsync(
        ActorSystem system, Address address, string shardId, string entityId, TimeSpan timeout, CancellationToken cancellation)
    {
        // Shards name each entity's actor after its id, URI-escaped (so keys with '/' or spaces are one path element).
        var path = new RootActorPath(address) / RegionPath / shardId / Uri.EscapeDataString(entityId);
        try
        {
            return await system.ActorSelection(path).Ask<object>(new TaskQueries.GetTask(entityId), timeout, cancellation).ConfigureAwait(false)
                as TaskReplies.TaskSnapshot;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
