using System.Text.Json;
using System.Text.Json.Serialization;
using Registrator.Actors.Events;

namespace Registrator.Node.Http.Events;

/// <summary>
/// One event as <c>/api/events</c> returns it: the Redis member's fields under their Redis names (the Python module's
/// schema plus ours), the score as <c>timestamp</c>, and the node that wrote the files, and links to the clip and keyframe whenever a node can serve them (this node
/// from its disk, any other by proxying to the writing node).
/// </summary>
/// <param name="EventId">The member's <c>event_id</c>; for members the Python module wrote (without one), the <c>&lt;uuid&gt;</c> of its file names.</param>
/// <param name="Message">The inference message, verbatim.</param>
internal sealed record EventView(
    Guid? EventId,
    string Key,
    double Timestamp,
    JsonElement? Message,
    string? VideoProofs,
    string? ImageProofPath,
    string? Error)
{
    /// <summary>The member's <c>node</c>: the HTTP base URL of the node that wrote the files; <c>null</c> when it names none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Node { get; init; }

    /// <summary>The member's <c>node_id</c>: the stable name of the node holding the files (it survives a new address).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeId { get; init; }

    /// <summary>A <c>span</c> incident's first and last capture time (Unix seconds); <c>null</c> for other events.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Start { get; init; }

    /// <inheritdoc cref="Start"/>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? End { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ClipUrl { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KeyframeUrl { get; init; }

    /// <summary>
    /// The event in a sorted-set member (<c>{"&lt;task key&gt;": {"message": …, "video_proofs": …, …}}</c>) scored
    /// <paramref name="score"/>, read by the store's own reader (<see cref="EventMember.Parse(ReadOnlySpan{byte})"/>); <c>null</c> when the
    /// member is not of that schema (anyone with access to Redis can write one).
    /// </summary>
    public static EventView? Parse(string member, double score) =>
        EventMember.Parse(System.Text.Encoding.UTF8.GetBytes(member)) is { } m
            ? new EventView(m.EventId, m.TaskKey, score, m.Message, m.VideoPath, m.ImagePath, m.Error)
            {
                Node = m.Node,
                NodeId = m.NodeId,
                Start = m.Start,
                End = m.End,
            }
            : null;

    /// <summary>The path the member names for <paramref name="kind"/> (<c>null</c>: the event has no such file).</summary>
    public string? ProofOf(MediaKind kind) => kind == MediaKind.Clip ? VideoProofs : ImageProofPath;
}
