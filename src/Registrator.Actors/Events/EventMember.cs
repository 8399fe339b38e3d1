using System.Text.Json;

namespace Registrator.Actors.Events;

/// <summary>
/// The sorted-set member of an event, in the Python module's schema plus our additions:
/// <c>{"&lt;task key&gt;": {"message": {…verbatim…}, "video_proofs": "&lt;mp4&gt;"|null, "image_proof_path": "&lt;jpg&gt;"|null,
/// "event_id": "&lt;uuid&gt;", "timestamp": &lt;unix seconds&gt;, "error": "…" (only when the clip failed),
/// "node": "http://&lt;host&gt;:&lt;port&gt;" (the writing node's HTTP base URL, when it has one),
/// "node_id": "&lt;name&gt;" (the <see cref="NodeName"/> of the node holding the files, whose retention deletes them),
/// "start", "end": a <c>span</c> incident's capture-time bounds, Unix seconds (only for such events)}}</c>.
/// Built once per event by <see cref="SortedSetEventSink"/>; the outbox keeps these exact bytes, so every retry's ZADD
/// names the same member and is a no-op once one succeeded. Also the JSON of <see cref="EventRecorded"/>.
/// </summary>
public static class EventMember
{
    /// <summary>The member JSON.</summary>
    /// <exception cref="ArgumentException">The message is not valid JSON (it is written verbatim, so it must be).</exception>
    public static string Build(RegisteredEvent e) => Build(e, EventOrigin.None);

    /// <summary>The member JSON, naming <paramref name="node"/> (the writing node's HTTP base URL) when not <c>null</c>.</summary>
    /// <exception cref="ArgumentException">The message is not valid JSON (it is written verbatim, so it must be).</exception>
    public static string Build(RegisteredEvent e, string? node) => Build(e, new EventOrigin(node, null));

    /// <summary>The member JSON, naming the recording node's URL and name when they are not <c>null</c>.</summary>
    /// <exception cref="ArgumentException">The message is not valid JSON (it is written verbatim, so it must be).</exception>
    public static string Build(RegisteredEvent e, EventOrigin origin) => EventJson.Write(e.MessageJson.Length + 320, (e, origin), static (json, state) =>
    {
        var (e, origin) = state;
        json.WriteStartObject();
        json.WriteStartObject(e.TaskKey);
        json.WritePropertyName("message");
        json.WriteRawValue(e.MessageJson);
        json.WriteStringOrNull("video_proofs", e.VideoPath);
        json.WriteStringOrNull("image_proof_path", e.ImagePath);
        json.WriteString("event_id", e.EventId.ToString("D"));
        json.WriteNumber("timestamp", e.Timestamp);
        if (e.Error is not null) json.WriteString("error", e.Error);
        if (origin.Node is not null) json.WriteString("node", origin.Node);
        if (origin.NodeId is not null) json.WriteString("node_id", origin.NodeId);
        if (e.Start is { } start) json.WriteNumber("start", start);
        if (e.End is { } end) json.WriteNumber("end", end);
        json.WriteEndObject();
        json.WriteEndObject();
    });

    /// <summary>
    /// The clip and keyframe paths a member names (as the Python module or we wrote it); <c>null</c>s when the member is
    /// not of this schema or names none.
    /// </summary>
    public static (string? VideoPath, string? ImagePath) ProofsOf(ReadOnlySpan<byte> member)
    {
        var read = Read(member);
        return (read.VideoPath, read.ImagePath);
    }

    /// <summary>What retention needs from a member; <see cref="StoredEvent.Unreadable"/> when it is not of this schema.</summary>
    public static StoredEvent Read(ReadOnlySpan<byte> member)
    {
        try
        {
            var reader = new Utf8JsonReader(member);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return StoredEvent.Unreadable;
            foreach (var task in document.RootElement.EnumerateObject())
                return task.Value.ValueKind == JsonValueKind.Object ? StoredEvent.From(task.Value) : StoredEvent.Unreadable;
            return StoredEvent.Unreadable;
        }
        catch (JsonException)
        {
            return StoredEvent.Unreadable;
        }
    }
}
