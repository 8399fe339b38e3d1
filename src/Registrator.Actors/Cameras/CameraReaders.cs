using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Akka;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Actors.Configuration;

namespace Registrator.Actors.Cameras;

/// <summary>
/// Starts the readers of the HOCON cameras (<c>registrator.cameras</c>) so that each camera is read by exactly one node
/// of the cluster at a time: one <see cref="CameraActor"/> per camera, kept alive by Akka's sharded daemon process over
/// the nodes of the given role. When the node reading a camera leaves (or is downed), the camera's reader is started on
/// another node of that role; a rebalance moves a reader by stopping it first, so two nodes never read it together.
/// </summary>
/// <remarks>
/// <para>
/// Every node of the role must list the same cameras in the same order (same keys and sources): the daemon's name is a
/// hash of that list (<see cref="DaemonName"/>) and a camera is its index in it. Nodes with different lists run
/// separate daemons, so a camera listed differently on two nodes is read once by each of them.
/// </para>
/// <para>
/// Call it on every node of the role, once, after the task region is started (each node's reader sends to that node's
/// own region). The daemon's shards follow the node's <c>akka.cluster.sharding</c> settings (as the tasks do), with the
/// defaults of <c>akka.cluster.sharded-daemon-process</c> (a stopped reader is restarted within its
/// <c>keep-alive-interval</c>, 10s) from Akka.Cluster.Sharding's reference configuration.
/// </para>
/// </remarks>
public static class CameraReaders
{
    /// <summary>The prefix of the daemon's name; Akka names its shard type <c>sharded-daemon-process-</c> + name.</summary>
    public const string NamePrefix = "cameras-";

    /// <summary>Starts nothing for an empty list; otherwise the daemon that reads <paramref name="cameras"/> on nodes of <paramref name="role"/>.</summary>
    /// <param name="taskRegion">This node's task region (or proxy): the reader of a camera running here sends its frames to it.</param>
    /// <exception cref="ArgumentException">Two cameras have the same key (one task would be fed by two readers).</exception>
    public static void Start(ActorSystem system, IReadOnlyList<CameraSettings> cameras, IActorRef taskRegion, string role)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(cameras);
        ArgumentNullException.ThrowIfNull(taskRegion);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        if (cameras.Count == 0) return;
        var duplicate = cameras.GroupBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"camera key '{duplicate.Key}' is listed {duplicate.Count()} times", nameof(cameras));

        var list = cameras.ToArray();
        // First: the extension loads Akka.Cluster.Sharding's reference configuration, sharded-daemon-process included.
        ClusterSharding.Get(system);
        var settings = ShardedDaemonProcessSettings.Create(system)
            .WithRole(role)
            .WithShardingSettings(ClusterShardingSettings.Create(system).WithRole(role));
        var name = DaemonName(list);
        ShardedDaemonProcess.Get(system).Init(name, list.Length, i => CameraActor.Props(list[i], taskRegion), settings, PoisonPill.Instance);
        // With the NATS bridge (same phase): the node stops taking input before its regions hand off. On the last node
        // no other region can take a message that arrives after a region's shards left, and the region would wait
        // with it for the whole cluster-sharding-shutdown-region phase.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-camera-readers",
            () => StopReadingAsync(system, name));
    }

    /// <summary>
    /// Stops the daemon's keep-alive pings (each is a message to the cameras' region), every reader on this node
    /// (waiting until each says it sends no more), and then the cameras' region itself. Paths are Akka.NET 1.5's:
    /// the pinger is a user actor named after the daemon, the readers are the entities of the daemon's shard region.
    /// </summary>
    private static async Task<Done> StopReadingAsync(ActorSystem system, string name)
    {
        var timeout = TimeSpan.FromSeconds(5);
        try
        {
            var pinger = await system.ActorSelection($"/user/ShardedDaemonProcessKeepAlive-{name}").ResolveOne(timeout).ConfigureAwait(false);
            await pinger.GracefulStop(timeout).ConfigureAwait(false);
        }
        catch (ActorNotFoundException)
        {
            // Not started on this node (or already stopped): nothing pings.
        }
        // The region knows which readers run here; each is the entity of its own shard (ids "0", "1", ...).
        var region = ClusterSharding.Get(system).ShardRegion(DaemonTypeName(name));
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout).ConfigureAwait(false);
        var stops = state.Shards.SelectMany(shard => shard.EntityIds.Select(entity =>
            StopOneAsync(system.ActorSelection(region.Path / shard.ShardId / Uri.EscapeDataString(entity)), timeout)));
        await Task.WhenAll(stops).ConfigureAwait(false);
        // With every reader here stopped the region has nothing left to hand off, but it may hold a keep-alive that
        // still waits for its shard's home (a camera being placed when the shutdown began, or no coordinator reached
        // yet). A region shutting down gracefully is given no new home and would wait with that message for its whole
        // phase; stopped now, it drops it, and the coordinator moves its shards as on any region's end.
        try
        {
            await region.GracefulStop(timeout).ConfigureAwait(false);
        }
        catch (TaskCanceledException)
        {
            // Its own phase stops it in the end.
        }
        return Done.Instance;
    }

    private static async Task StopOneAsync(ActorSelection reader, TimeSpan timeout)
    {
        try
        {
            await reader.Ask<CameraActor.ReadingStopped>(CameraActor.StopReading.Instance, timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            // The reader stopped meanwhile (a rebalance): it sends nothing either.
        }
    }

    /// <summary>The shard type Akka.NET 1.5's ShardedDaemonProcess starts for a daemon name.</summary>
    private static string DaemonTypeName(string name) => "sharded-daemon-process-" + name;

    /// <summary>
    /// The daemon's name for a camera list: <see cref="NamePrefix"/> and 16 hex digits of the SHA-256 of the keys and
    /// sources in order. The same on every node and every run for the same list; differs when a key, a source or the
    /// order differs (the frame rate and looping do not count: they do not change which camera an index stands for).
    /// </summary>
    public static string DaemonName(IReadOnlyList<CameraSettings> cameras)
    {
        ArgumentNullException.ThrowIfNull(cameras);
        var canonical = new StringBuilder();
        foreach (var camera in cameras)
        {
            // Length-prefixed, so no choice of characters in a key or source makes two lists look alike.
            canonical.Append(camera.Key.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(camera.Key)
                .Append(camera.Source.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(camera.Source);
        }
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical.ToString()));
        return NamePrefix + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }
}
