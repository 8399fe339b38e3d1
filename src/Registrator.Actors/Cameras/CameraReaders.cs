using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Sharding;

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
        ShardedDaemonProcess.Get(system).Init(DaemonName(list), list.Length, i => CameraActor.Props(list[i], taskRegion), settings, PoisonPill.Instance);
    }

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
