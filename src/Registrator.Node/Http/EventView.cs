using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registrator.Node.Http;

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
    /// <paramref name="score"/>; <c>null</c> when the member is not of that schema (anyone with access to Redis can write one).
    /// </summary>
    public static EventView? Parse(string member, double score)
    {
        try
        {
            using var document = JsonDocument.Parse(member);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            using var properties = document.RootElement.EnumerateObject();
            if (!properties.MoveNext()) return null;
            var task = properties.Current;
            if (task.Value.ValueKind != JsonValueKind.Object) return null;
            var video = StringOf(task.Value, "video_proofs");
            var image = StringOf(task.Value, "image_proof_path");
            var id = Guid.TryParse(StringOf(task.Value, "event_id"), out var eventId) ? eventId : IdFromFileName(video) ?? IdFromFileName(image);
            JsonElement? message = task.Value.TryGetProperty("message", out var m) ? m.Clone() : null;
            return new EventView(id, task.Name, score, message, video, image, StringOf(task.Value, "error"))
            {
                Node = StringOf(task.Value, "node"),
                NodeId = StringOf(task.Value, "node_id"),
                Start = NumberOf(task.Value, "start"),
                End = NumberOf(task.Value, "end"),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The path the member names for <paramref name="kind"/> (<c>null</c>: the event has no such file).</summary>
    public string? ProofOf(MediaKind kind) => kind == MediaKind.Clip ? VideoProofs : ImageProofPath;

    /// <summary>The Python module names both files after the event's uuid: <c>$TMP_PATH/&lt;uuid&gt;/&lt;uuid&gt;.mp4</c>.</summary>
    private static Guid? IdFromFileName(string? path) =>
        path is not null && Guid.TryParse(Path.GetFileNameWithoutExtension(path), out var id) ? id : null;

    private static double? NumberOf(JsonElement task, string name) =>
        task.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string? StringOf(JsonElement task, string name) =>
        task.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
