namespace Registrator.Actors.Redis;

/// <summary>
/// Every Redis key the registrator writes, named in one place: the sorted set of events (the Python module's
/// <c>events</c>), and for the list store (the documentation's custom registrator) the per-task list
/// <c>custom_events:&lt;task key&gt;</c> and the per-task set of event ids that makes a re-delivery a no-op.
/// </summary>
public sealed record RedisKeys
{
    /// <summary>
    /// Prefix of the keys that carry a task's state value from one incarnation to the next (hand-off, passivation):
    /// <c>registrator:task-state:&lt;task key&gt;</c>, written when the task stops, taken (GETDEL) when it starts.
    /// </summary>
    public const string TaskStatePrefix = "registrator:task-state:";

    /// <summary>
    /// The registry of nodes that hold event files: a hash of <c>node_id</c> → Unix seconds of its last heartbeat. Other
    /// nodes' retention leaves a node's expired events alone while it is heard of (<see cref="EventStore.Retention.RetentionPolicy"/>).
    /// </summary>
    public const string Nodes = "registrator:nodes";

    /// <summary>
    /// Where each node serves HTTP now: a hash of <c>node_id</c> → base URL, refreshed by every node with HTTP. An event
    /// names the URL of its node when it was written; a node that came back on another address is found by its id here.
    /// </summary>
    public const string NodeUrls = "registrator:node-urls";

    /// <summary>The key of <paramref name="taskKey"/>'s handed-off state.</summary>
    public static string TaskStateOf(string taskKey) => TaskStatePrefix + taskKey;

    /// <summary>The sorted set: score = Unix seconds, member = the event's JSON.</summary>
    public required string SortedSet { get; init; }
    public required string ListPrefix { get; init; }
    /// <summary>A prefix of its own, so no task key can make an id set collide with another task's list.</summary>
    public required string ListIdsPrefix { get; init; }

    /// <summary>
    /// The index from event id to member: a hash <c>&lt;sorted-set&gt;:by-id</c>, field = the event id, value = the
    /// member, written with the ZADD and removed with the ZREM (<c>/api/events/{id}</c> reads it).
    /// </summary>
    public string EventsById => SortedSet + ":by-id";

    /// <summary>
    /// The index of one task's events: a sorted set <c>&lt;sorted-set&gt;:by-key:&lt;task key&gt;</c>, score = the
    /// member's score, member = the event id (<c>/api/events?key=</c> reads it, then the members from <see cref="EventsById"/>).
    /// </summary>
    public string EventsOf(string taskKey) => SortedSet + ":by-key:" + taskKey;

    /// <summary>Set once every member written before the indexes existed has been indexed (the start-up backfill).</summary>
    public string IndexedMarker => SortedSet + ":indexed";

    /// <summary>The list of the documentation's custom registrator: <c>custom_events:&lt;task key&gt;</c>.</summary>
    public string ListOf(string taskKey) => ListPrefix + taskKey;

    /// <summary>The event ids already pushed to <see cref="ListOf"/> of this task.</summary>
    public string ListIdsOf(string taskKey) => ListIdsPrefix + taskKey;
}
