using Registrator.Actors.EventStore;

namespace Registrator.Actors.Events;

/// <summary>
/// Which node records an event, as written into its member or list entry.
/// </summary>
/// <param name="Node">The node's HTTP base URL (<c>node</c>): where other nodes fetch (proxy) its files now; <c>null</c> when it has none.</param>
/// <param name="NodeId">The node's stable <see cref="NodeName"/> (<c>node_id</c>): whose retention deletes the files; <c>null</c> when unknown.</param>
public sealed record EventOrigin(string? Node, string? NodeId)
{
    /// <summary>Names no node: members as the Python module writes them.</summary>
    public static readonly EventOrigin None = new(null, null);
}
