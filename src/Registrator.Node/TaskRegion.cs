namespace Registrator.Node;

/// <summary>
/// Registry key of the <c>task</c> shard region (or proxy, on nodes without <c>registrator.sharding.role</c>), which
/// <see cref="TaskRegionHosting"/> registers: resolve it with <c>ActorRegistry.Get&lt;TaskRegion&gt;()</c> or
/// <c>IRequiredActor&lt;TaskRegion&gt;</c>.
/// </summary>
public sealed class TaskRegion;

/// <summary>Registry key of the node's encoder pool.</summary>
public sealed class EncoderPoolKey;

/// <summary>Registry key of the node's event store.</summary>
public sealed class EventStoreKey;
