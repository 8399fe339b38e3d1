using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Actors.Redis;
using Registrator.Contracts;
using StackExchange.Redis;

namespace Registrator.Node.Http.Tasks;

/// <summary>
/// Whether a task exists, asked without creating it: any message to the shard region for a key starts that key's
/// entity, so <c>GET /api/tasks/{key}</c> asks first. A task exists when an entity for it runs on some node (each
/// region's <see cref="GetShardRegionState"/> for the key's shard) or when it handed its state off to Redis on its way
/// out (<see cref="RedisKeys.TaskStateOf"/>: its next message restores it). A key known neither way is answered with
/// <see cref="Untouched"/>, what its entity would have said, and no entity is left behind by a typo or a crawler.
/// </summary>
internal sealed class TaskPresence(RedisConnection redis, int numberOfShards)
{
    private readonly TaskMessageExtractor _extractor = new(numberOfShards);

    /// <summary>The snapshot of a task no command has touched: what a fresh entity answers (state NONE, nothing held).</summary>
    public static TaskReplies.TaskSnapshot Untouched(string key) =>
        new(key, TaskState.None, [], 0, 0, 0, 0, 0, 0, 0, 0, false, null, Registrations: []);

    public async Task<bool> ExistsAsync(ActorSystem system, IActorRef region, string key, TimeSpan timeout, CancellationToken cancellation)
    {
        try
        {
            var database = await redis.GetDatabaseAsync().WaitAsync(cancellation).ConfigureAwait(false);
            if (await database.KeyExistsAsync(RedisKeys.TaskStateOf(key)).WaitAsync(cancellation).ConfigureAwait(false)) return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis away: a handed-off task cannot be told from an unknown one; the running entities still can.
        }
        var shard = _extractor.ShardId(key);
        bool Holds(CurrentShardRegionState state) => state.Shards.Any(s => s.ShardId == shard && s.EntityIds.Contains(key));
        // This node first: most reads are of tasks it serves, and a local answer needs no other node to be up.
        if (Holds(await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout, cancellation).ConfigureAwait(false))) return true;
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        var regions = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, timeout, cancellation).ConfigureAwait(false);
        // Every hosting node's region sits at /system/sharding/<type name> (this node may hold only a proxy).
        const string path = "system/sharding/" + RegistratorCluster.TaskTypeName;
        var pending = regions.Regions.Where(address => address != self && address.HasGlobalScope)
            .Select(address => system.ActorSelection($"{address}/{path}").Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout, cancellation))
            .ToList();
        var unanswered = 0;
        // The first node that holds it answers the question; an unreachable node is waited for only when none does.
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (done.IsCompletedSuccessfully) { if (Holds(done.Result)) return true; }
            else unanswered++;
        }
        // The task may live on a node that did not answer: as before, that is a timeout, not an unknown task.
        if (unanswered > 0) throw new AskTimeoutException($"{unanswered} nodes hosting tasks did not say within {timeout} whether they run {key}");
        return false;
    }
}
