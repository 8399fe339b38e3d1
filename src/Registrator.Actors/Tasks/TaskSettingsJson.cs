using Registrator.Actors.Configuration;
using Registrator.Actors.Json;

namespace Registrator.Actors.Tasks;

/// <summary>
/// The JSON a task's snapshot carries about its settings and its open incident (<see cref="TaskSnapshotJson"/> writes
/// them under <c>settings</c> and <c>incident</c>). Durations in seconds.
/// </summary>
public static class TaskSettingsJson
{
    public static string Settings(TaskSettings settings) => WireJson.WriteObject(json =>
    {
        var t = settings.Trigger;
        json.WriteString("policy", t.PolicyName);
        json.WriteNumber("window", t.WindowSize);
        json.WriteNumber("ratio", t.Ratio);
        json.WriteNumber("cooldown", t.Cooldown.TotalSeconds);
        json.WriteNumberOrNull("min_score", t.MinScore); // null: the bridge's registrator.nats.min-score
        json.WriteNumber("pre_roll", t.PreRoll.TotalSeconds);
        json.WriteNumber("post_roll", t.PostRoll.TotalSeconds);
        json.WriteNumber("max_duration", t.MaxDuration.TotalSeconds);
        json.WriteNumber("fps", settings.FramesPerSecond);
        json.WriteStringOrNull("override", settings.OverrideKeys);
    });

    public static string? Incident(Incident? incident) => incident is null ? null : WireJson.WriteObject(json =>
    {
        json.WriteString("event_id", incident.EventId.ToString("D"));
        json.WriteNumber("start", incident.Start);
        json.WriteNumber("last_detection", incident.LastDetection);
        json.WriteNumber("part", incident.Part);
        json.WriteStringOrNull("image_proof_path", incident.ImagePath);
    });
}
