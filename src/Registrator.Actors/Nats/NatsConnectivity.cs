using System.Collections.Concurrent;

namespace Registrator.Actors.Nats;

/// <summary>
/// Whether the <see cref="NatsBridge"/>'s connections are open, by role (results, frames, commands, events), for the
/// node's readiness check, and how often each lost messages (<see cref="Disconnected"/>, <see cref="SlowConsumer"/>;
/// also the metric <c>registrator_nats_connection_problems_total</c>). Updated by the bridge's subject actors as their
/// connections report; read from any thread. One instance per node, created by whoever starts the bridge, as
/// <see cref="BadInputCounters"/> is.
/// </summary>
public sealed class NatsConnectivity
{
    /// <summary>The connection dropped: by the server (a restart, or cutting this node off as a slow consumer) or the network.</summary>
    public const string Disconnected = "disconnected";
    /// <summary>A subscription overflowed in the client (a drop pending-full-mode) or the server reported a slow consumer.</summary>
    public const string SlowConsumer = "slow-consumer";

    private readonly ConcurrentDictionary<string, bool> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Role, string Problem), long> _problems = new();

    /// <summary>True once the bridge has made its connections and every one of them is open.</summary>
    public bool AllOpen => !_open.IsEmpty && _open.Values.All(open => open);

    /// <summary>Each role the bridge connects, with whether its connection is open, sorted by role.</summary>
    public IReadOnlyList<(string Role, bool Open)> Connections =>
        _open.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value)).ToArray();

    /// <summary>A connection of <paramref name="role"/> exists and is not open yet (it connects on first use).</summary>
    public void Connecting(string role) => _open[role] = false;

    public void Opened(string role) => _open[role] = true;

    public void Lost(string role) => _open[role] = false;

    /// <summary>A connection of <paramref name="role"/> had a problem that may have lost messages.</summary>
    public void Problem(string role, string problem) => _problems.AddOrUpdate((role, problem), 1, static (_, count) => count + 1);

    /// <summary>How often connections of <paramref name="role"/> had <paramref name="problem"/>.</summary>
    public long Problems(string role, string problem) => _problems.GetValueOrDefault((role, problem));

    /// <summary>The bridge stopped: every connection it had is closed.</summary>
    public void AllClosed()
    {
        foreach (var role in _open.Keys) _open[role] = false;
    }
}
