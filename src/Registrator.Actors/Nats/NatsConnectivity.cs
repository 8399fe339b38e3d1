using System.Collections.Concurrent;

namespace Registrator.Actors.Nats;

/// <summary>
/// Whether the <see cref="NatsBridge"/>'s connections are open, by role (results, frames, commands), for the node's
/// readiness check. Updated by the bridge as its connections report opening and losing the server; read from any
/// thread. One instance per node, created by whoever starts the bridge, as <see cref="BadInputCounters"/> is.
/// </summary>
public sealed class NatsConnectivity
{
    private readonly ConcurrentDictionary<string, bool> _open = new(StringComparer.Ordinal);

    /// <summary>True once the bridge has made its connections and every one of them is open.</summary>
    public bool AllOpen => !_open.IsEmpty && _open.Values.All(open => open);

    /// <summary>Each role the bridge connects, with whether its connection is open, sorted by role.</summary>
    public IReadOnlyList<(string Role, bool Open)> Connections =>
        _open.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value)).ToArray();

    /// <summary>A connection of <paramref name="role"/> exists and is not open yet (it connects on first use).</summary>
    public void Connecting(string role) => _open[role] = false;

    public void Opened(string role) => _open[role] = true;

    public void Lost(string role) => _open[role] = false;

    /// <summary>The bridge stopped: every connection it had is closed.</summary>
    public void AllClosed()
    {
        foreach (var role in _open.Keys) _open[role] = false;
    }
}
