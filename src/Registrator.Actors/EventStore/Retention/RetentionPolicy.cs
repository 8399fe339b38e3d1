using Registrator.Actors.Configuration;

namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// Which node removes an expired event, and whether it deletes files: the rules of retention across nodes, as pure
/// functions (no Redis, no disk, no clock).
/// <list type="bullet">
/// <item>Each node deletes only the files it holds (its own <c>node_id</c>), so the record stays until that node's
/// retention has deleted them; a node that is down keeps its records until it is back.</item>
/// <item>A node not heard of (no heartbeat, and no event of its own written) for longer than
/// <see cref="RetentionSettings.AbandonAfter"/> is gone: any node removes its expired records. Should it ever come back,
/// its orphan sweep deletes the files those records named.</item>
/// <item>A record naming no node (the Python module's, or one written before nodes were named) is removed by whichever
/// node expires it first, which deletes the files at its paths if it has them; other nodes' sweeps take the rest.</item>
/// </list>
/// </summary>
public static class RetentionPolicy
{
    /// <param name="holder">The event's <c>node_id</c>, <c>null</c> when it names none.</param>
    /// <param name="eventSeconds">The event's time (score or timestamp), Unix seconds: the holder was alive then.</param>
    /// <param name="self">This node's name; <c>null</c> when it has none (its own events then name none either).</param>
    /// <param name="heartbeats">Last heartbeat of each node, Unix seconds (the registry in Redis).</param>
    /// <param name="nowSeconds">Now, Unix seconds.</param>
    /// <param name="abandonAfter">Silence after which a node is gone; <see cref="TimeSpan.Zero"/> = never.</param>
    public static RetentionAction Decide(
        string? holder, double eventSeconds, string? self, IReadOnlyDictionary<string, double> heartbeats, double nowSeconds, TimeSpan abandonAfter)
    {
        if (holder is null || holder == self) return RetentionAction.RemoveAndDelete;
        return IsGone(holder, eventSeconds, heartbeats, nowSeconds, abandonAfter) ? RetentionAction.RemoveAbandoned : RetentionAction.Keep;
    }

    /// <summary>
    /// True when <paramref name="node"/> was last heard of (its heartbeat, or the event it wrote at
    /// <paramref name="eventSeconds"/>) longer than <paramref name="abandonAfter"/> ago. A node without a heartbeat
    /// entry is aged by its event, so a node just started (and not yet in the registry) is not taken for gone.
    /// </summary>
    public static bool IsGone(string node, double eventSeconds, IReadOnlyDictionary<string, double> heartbeats, double nowSeconds, TimeSpan abandonAfter)
    {
        if (abandonAfter <= TimeSpan.Zero) return false;
        var lastSeen = heartbeats.TryGetValue(node, out var beat) ? Math.Max(beat, eventSeconds) : eventSeconds;
        return nowSeconds - lastSeen > abandonAfter.TotalSeconds;
    }

    /// <summary>Registry entries silent for longer than <paramref name="abandonAfter"/>: removed, so the registry stays small.</summary>
    public static IEnumerable<string> StaleHeartbeats(IReadOnlyDictionary<string, double> heartbeats, double nowSeconds, TimeSpan abandonAfter) =>
        abandonAfter <= TimeSpan.Zero
            ? []
            : heartbeats.Where(h => nowSeconds - h.Value > abandonAfter.TotalSeconds).Select(h => h.Key);
}
