using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.Json;

namespace Registrator.Actors.EventStore.Sinks;

/// <summary>
/// An entry of the list store (the documentation's CustomEventRegistrator, LPUSH <c>custom_events:&lt;task key&gt;</c>):
/// <c>{"task_name": "&lt;key&gt;", "message": {…verbatim…}, "statistics": {"frames_count": n, "status_count": n, "cycle": n},
/// "most_common_status": true|false|null, "event_id": "&lt;uuid&gt;", "timestamp": &lt;unix seconds&gt;,
/// "video_proofs": …, "image_proof_path": …, "error": "…" (only when the clip failed), "node": "&lt;url&gt;" and
/// "node_id": "&lt;name&gt;" (as in <see cref="EventMember"/>, when known)}</c>. Built once per event by
/// <see cref="ListEventSink"/>.
/// </summary>
public static class ListEventEntry
{
    /// <exception cref="ArgumentException">The message is not valid JSON.</exception>
    public static string Build(RegisteredEvent e) => Build(e, EventOrigin.None);

    /// <exception cref="ArgumentException">The message is not valid JSON.</exception>
    public static string Build(RegisteredEvent e, EventOrigin origin) => WireJson.Write(e.MessageJson.Length + 448, (e, origin), static (json, state) =>
    {
        var (e, origin) = state;
        json.WriteStartObject();
        json.WriteString("task_name", e.TaskKey);
        json.WritePropertyName("message");
        json.WriteRawValue(e.MessageJson);
        json.WriteStartObject("statistics");
        json.WriteNumber("frames_count", e.Statistics.FrameCount);
        json.WriteNumber("status_count", e.Statistics.StatusCount);
        json.WriteNumber("cycle", e.Statistics.Cycle);
        json.WriteEndObject();
        json.WriteBooleanOrNull("most_common_status", e.Statistics.MostCommonStatus);
        json.WriteString("event_id", e.EventId.ToString("D"));
        json.WriteNumber("timestamp", e.Timestamp);
        json.WriteStringOrNull("video_proofs", e.VideoPath);
        json.WriteStringOrNull("image_proof_path", e.ImagePath);
        if (e.Error is not null) json.WriteString("error", e.Error);
        if (origin.Node is not null) json.WriteString("node", origin.Node);
        if (origin.NodeId is not null) json.WriteString("node_id", origin.NodeId);
        json.WriteEndObject();
    });

    /// <summary>What retention needs from an entry; <see cref="StoredEvent.Unreadable"/> when it is not of this schema.</summary>
    public static StoredEvent Read(ReadOnlySpan<byte> entry)
    {
        try
        {
            var reader = new Utf8JsonReader(entry);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object ? StoredEvent.From(document.RootElement) : StoredEvent.Unreadable;
        }
        catch (JsonException)
        {
            return StoredEvent.Unreadable;
        }
    }
}
