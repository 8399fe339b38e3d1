namespace Registrator.Actors.Redis;

/// <summary>
/// Every Redis key the registrator writes, named in one place: the sorted set of events (the Python module's
/// <c>events</c>), and for the list store (the documentation's custom registrator) the per-task list
/// <c>custom_events:&lt;task key&gt;</c> and the per-task set of event ids that makes a re-delivery a no-op.
/// </summary>
public sealed record RedisKeys
{
    public const string DefaultSortedSet = "events";
    public const string DefaultListPrefix = "custom_events:";
    public const string DefaultListIdsPrefix = "custom_event_ids:";

    /// <summary>
    /// Prefix of the keys that carry a task's state value from one incarnation to the next (hand-off, passivation):
    /// <c>registrator:task-state:&lt;task key&gt;</c>, written when the task stops, taken (GETDEL) when it starts.
    /// </summary>
    public const string TaskStatePrefix = "registrator:task-state:";

    /// <summary>
    /// The registry of nodes that hold event files: a hash of <c>node_id</c> → Unix seconds of its last heartbeat. Other
    /// nodes' retention leaves a node's expired events alone while it is heard of (<see cref="Events.RetentionPolicy"/>).
    /// </summary>
    public const string Nodes = "registrator:nodes";

    /// <summary>The key of <paramref name="taskKey"/>'s handed-off state.</summary>
    public static string TaskStateOf(string taskKey) => TaskStatePrefix + taskKey;

    /// <summary>The sorted set: score = Unix seconds, member = the event's JSON.</summary>
    public string SortedSet { get; init; } = DefaultSortedSet;
    public string ListPrefix { get; init; } = DefaultListPrefix;
    /// <summary>A prefix of its own, so no task key can make an id set collide with another task's list.</summary>
    public string ListIdsPrefix { get; init; } = DefaultListIdsPrefix;

    /// <summary>The list of the documentation's custom registrator: <c>custom_events:&lt;task key&gt;</c>.</summary>
    public string ListOf(string taskKey) => ListPrefix + taskKey;

    /// <summary>The event ids already pushed to <see cref="ListOf"/> of this task.</summary>
    public string ListIdsOf(string taskKey) => ListIdsPrefix + taskKey;
}
