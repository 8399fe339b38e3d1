using System.Text.Json;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Json;

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
    public static string Build(RegisteredEvent e, EventOrigin origin) => WireJson.Write(e.MessageJson.Length + 320, (e, origin), static (json, state) =>
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
    public static (string? VideoPath, string? ImagePath) ProofsOf(ReadOnlySpan<byte> member) =>
        Parse(member, withMessage: false) is { } fields ? (fields.VideoPath, fields.ImagePath) : (null, null);

    /// <summary>What retention needs from a member; <see cref="StoredEvent.Unreadable"/> when it is not of this schema.</summary>
    public static StoredEvent Read(ReadOnlySpan<byte> member) => Parse(member, withMessage: false)?.Stored ?? StoredEvent.Unreadable;

    /// <summary>
    /// The one reader of a member (<see cref="Build(RegisteredEvent, EventOrigin)"/>'s, or the Python module's):
    /// <c>null</c> when it is not a JSON object whose first property is an object (anyone with access to Redis can
    /// write one). Like the store always did, it reads the first JSON value and ignores anything after it.
    /// </summary>
    public static MemberFields? Parse(ReadOnlySpan<byte> member) => Parse(member, withMessage: true);

    /// <param name="withMessage">Off for the store's own scans (retention, indexes), which never look at the message and would only copy it.</param>
    internal static MemberFields? Parse(ReadOnlySpan<byte> member, bool withMessage)
    {
        try
        {
            var reader = new Utf8JsonReader(member);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            using var properties = document.RootElement.EnumerateObject();
            if (!properties.MoveNext() || properties.Current.Value is not { ValueKind: JsonValueKind.Object } e) return null;
            return new MemberFields(
                properties.Current.Name,
                e.StringOf("event_id") is { } id && Guid.TryParse(id, out var eventId) ? eventId : null,
                withMessage && e.TryGetProperty("message", out var message) ? message.Clone() : null,
                e.StringOf("video_proofs"),
                e.StringOf("image_proof_path"),
                e.StringOf("error"),
                e.NumberOf("timestamp"),
                e.StringOf("node"),
                e.StringOf("node_id"),
                e.NumberOf("start"),
                e.NumberOf("end"));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
