using System.Globalization;
using StackExchange.Redis;

namespace Registrator.Actors.Redis;

/// <summary>
/// The heartbeats of the nodes that hold event files, in the Redis hash <see cref="RedisKeys.Nodes"/>: each node
/// writes its <c>node_id</c> with the time every <c>heartbeat-interval</c>, and retention reads them all to tell a
/// live node from a gone one. Redis, not cluster membership, because what matters is who can still delete its files
/// and remove its records, and a node that is not in the cluster any more (or never was: a single node) is judged the same.
/// </summary>
public sealed class NodeRegistry(RedisConnection connection)
{
    /// <summary>Records that <paramref name="node"/> is alive at <paramref name="now"/>.</summary>
    public async Task HeartbeatAsync(string node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await database.HashSetAsync(RedisKeys.Nodes, node, Seconds(now).ToString("R", CultureInfo.InvariantCulture))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every node's last heartbeat, Unix seconds (entries that are not a number are left out).</summary>
    public async Task<IReadOnlyDictionary<string, double>> ReadAsync(CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var entries = await database.HashGetAllAsync(RedisKeys.Nodes).WaitAsync(cancellationToken).ConfigureAwait(false);
        var beats = new Dictionary<string, double>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (double.TryParse((string?)entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                beats[(string)entry.Name!] = seconds;
        }
        return beats;
    }

    /// <summary>Drops the entries of nodes long gone; a node coming back writes its entry again.</summary>
    public async Task ForgetAsync(IReadOnlyCollection<string> nodes, CancellationToken cancellationToken)
    {
        if (nodes.Count == 0) return;
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await database.HashDeleteAsync(RedisKeys.Nodes, nodes.Select(n => (RedisValue)n).ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public static double Seconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;
}
