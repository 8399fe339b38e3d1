using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Actors.Cameras;
using Registrator.Actors.Configuration;

namespace Registrator.Demo;

/// <summary>
/// Where the demo's cameras are read. A camera starts on the first node up and one of them moves (restarting its file at
/// 0 s) once the second node joins and the readers are spread; the demo's detector follows each camera's clip time, so it
/// waits for that first and takes each camera's clip start as the moment it was first seen on its node.
/// </summary>
public static class CameraPlacement
{
    /// <summary>Waits until each node reads one camera and returns, per camera key, when it was first seen on that node.</summary>
    public static async Task<IReadOnlyDictionary<string, DateTimeOffset>> WaitSpreadAsync(
        IReadOnlyList<ActorSystem> nodes, IReadOnlyList<CameraSettings> cameras, TimeSpan patience, CancellationToken cancellation)
    {
        var typeName = "sharded-daemon-process-" + CameraReaders.DaemonName(cameras);
        var since = new Dictionary<int, (int Node, DateTimeOffset At)>();
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            for (var n = 0; n < nodes.Count; n++)
            {
                var region = ClusterSharding.Get(nodes[n]).ShardRegion(typeName);
                var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5), cancellation);
                foreach (var id in state.Shards.SelectMany(s => s.EntityIds))
                {
                    var camera = int.Parse(id, System.Globalization.CultureInfo.InvariantCulture);
                    if (!since.TryGetValue(camera, out var seen) || seen.Node != n) since[camera] = (n, DateTimeOffset.UtcNow);
                }
            }
            var spread = since.Count == cameras.Count && since.Values.Select(v => v.Node).Distinct().Count() == Math.Min(nodes.Count, cameras.Count);
            if (spread) return since.ToDictionary(p => cameras[p.Key].Key, p => p.Value.At);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the cameras were not spread over the nodes within {patience.TotalSeconds:F0} s");
            await Task.Delay(100, cancellation);
        }
    }
}
