namespace Registrator.Node;

/// <summary>Registry key of the <c>task</c> shard region (or proxy, on nodes without the registrator role).</summary>
public sealed class TaskRegion;

/// <summary>Registry key of the node's encoder pool.</summary>
public sealed class EncoderPoolKey;

/// <summary>Registry key of the node's event store.</summary>
public sealed class EventStoreKey;
