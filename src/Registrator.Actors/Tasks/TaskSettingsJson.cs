using System.Buffers;
using System.Text.Json;
using Registrator.Actors.Configuration;

namespace Registrator.Actors.Tasks;

/// <summary>
/// The JSON a task's snapshot carries about its settings and its open incident (<see cref="TaskSnapshotJson"/> writes
/// them under <c>settings</c> and <c>incident</c>). Durations in seconds.
/// </summary>
public static class TaskSettingsJson
{
    public static string Settings(TaskSettings settings) => Write(json =>
    {
        var t = settings.Trigger;
        json.WriteString("policy", t.PolicyName);
        json.WriteNumber("window", t.WindowSize);
        json.WriteNumber("ratio", t.Ratio);
        json.WriteNumber("cooldown", t.Cooldown.TotalSeconds);
        if (t.MinScore is { } score) json.WriteNumber("min_score", score);
        else json.WriteNull("min_score"); // the bridge's registrator.nats.min-score
        json.WriteNumber("pre_roll", t.PreRoll.TotalSeconds);
        json.WriteNumber("post_roll", t.PostRoll.TotalSeconds);
        json.WriteNumber("max_duration", t.MaxDuration.TotalSeconds);
        json.WriteNumber("fps", settings.FramesPerSecond);
        if (settings.OverrideKeys is { } keys) json.WriteString("override", keys);
        else json.WriteNull("override");
    });

    public static string? Incident(Incident? incident) => incident is null ? null : Write(json =>
    {
        json.WriteString("event_id", incident.EventId.ToString("D"));
        json.WriteNumber("start", incident.Start);
        json.WriteNumber("last_detection", incident.LastDetection);
        json.WriteNumber("part", incident.Part);
        if (incident.ImagePath is { } path) json.WriteString("image_proof_path", path);
        else json.WriteNull("image_proof_path");
    });

    private static string Write(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
