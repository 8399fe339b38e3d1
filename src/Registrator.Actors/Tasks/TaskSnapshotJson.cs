using System.Text.Json;
using Registrator.Actors.Json;
using Registrator.Contracts;

namespace Registrator.Actors.Tasks;

/// <summary>
/// A <see cref="TaskReplies.TaskSnapshot"/> as JSON for clients that are not Akka systems (the NATS <c>get</c> command,
/// <c>GET /api/tasks/{key}</c>): snake-case fields, the state by the Python module's name (<c>NONE</c> for a key no
/// command has touched), the registrations in flight as objects (<c>event_id</c>, <c>cycle</c>, <c>frame_count</c>,
/// <c>stage</c>), the latest inference message as the JSON object it is, the settings in force (<c>settings</c>:
/// <c>policy</c>, <c>window</c>, <c>ratio</c>, <c>cooldown</c>, <c>min_score</c>, <c>pre_roll</c>, <c>post_roll</c>,
/// <c>max_duration</c> in seconds, <c>fps</c>, <c>override</c> = the matching override's keys or null) and the open
/// <c>span</c> incident (<c>incident</c>: <c>event_id</c>, <c>start</c>, <c>last_detection</c>, <c>part</c>, or null).
/// Written with <see cref="WireJson"/> (alone, or inside a command reply or the HTTP task listing).
/// </summary>
public static class TaskSnapshotJson
{
    /// <summary>Writes the snapshot's fields into the object <paramref name="json"/> is writing.</summary>
    public static void WriteFields(Utf8JsonWriter json, TaskReplies.TaskSnapshot snapshot)
    {
        json.WriteString("key", snapshot.TaskKey);
        json.WriteString("state", snapshot.State.ToString().ToUpperInvariant());
        json.WriteStartArray("statuses");
        foreach (var status in snapshot.Statuses) json.WriteBooleanValue(status);
        json.WriteEndArray();
        json.WriteNumber("frame_count", snapshot.FrameCount);
        json.WriteNumber("frame_width", snapshot.FrameWidth);
        json.WriteNumber("frame_height", snapshot.FrameHeight);
        json.WriteNumber("buffered_bytes", snapshot.BufferedBytes);
        json.WriteNumber("frames_dropped", snapshot.FramesDropped);
        json.WriteNumber("statuses_dropped", snapshot.StatusesDropped);
        json.WriteNumber("rejected", snapshot.RejectedCommands);
        json.WriteNumber("cycle", snapshot.Cycle);
        json.WriteBoolean("registering", snapshot.Registering);
        json.WriteNumber("frames_pending", snapshot.FramesPending);
        json.WriteNumber("gops_dropped", snapshot.GopsDropped);
        json.WriteNumber("frames_skipped", snapshot.FramesSkipped);
        json.WriteNumber("frames_late", snapshot.FramesLate);
        json.WriteStartArray("registrations");
        // A snapshot built without registrations (default) has none.
        if (!snapshot.Registrations.IsDefault)
        {
            foreach (var registration in snapshot.Registrations)
            {
                json.WriteStartObject();
                json.WriteString("event_id", registration.EventId);
                json.WriteNumber("cycle", registration.Cycle);
                json.WriteNumber("frame_count", registration.FrameCount);
                json.WriteString("stage", registration.Stage);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
        json.WritePropertyName("latest_message");
        // The task keeps only messages that parsed as JSON objects, so the raw text is valid JSON.
        if (snapshot.LatestMessageJson is { } message) json.WriteRawValue(message);
        else json.WriteNullValue();
        // Both are JSON objects the task wrote itself (TaskSettingsJson); absent from older nodes' snapshots.
        if (snapshot.SettingsJson is { } settings)
        {
            json.WritePropertyName("settings");
            json.WriteRawValue(settings);
        }
        json.WritePropertyName("incident");
        if (snapshot.IncidentJson is { } incident) json.WriteRawValue(incident);
        else json.WriteNullValue();
    }

    /// <summary>The snapshot as one JSON object, UTF-8.</summary>
    public static byte[] ToUtf8(TaskReplies.TaskSnapshot snapshot) => WireJson.WriteObjectUtf8(json => WriteFields(json, snapshot));
}
