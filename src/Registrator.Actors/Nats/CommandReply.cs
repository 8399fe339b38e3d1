using System.Text.Json;
using Registrator.Actors.Json;
using Registrator.Contracts;
using static Registrator.Contracts.TaskEvents;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Nats;

/// <summary>
/// The JSON the <see cref="NatsBridge"/> answers a <c>registrator.commands</c> request with: <c>{"ok": true, ...}</c> with
/// the task's answer in snake case, or <c>{"ok": false, "error": "..."}</c> (a Rejected answer keeps its key and state).
/// States are upper case, as the Python module's (<c>"PENDING"</c>). Written with <see cref="WireJson"/>: a key reads
/// here exactly as in the event's Redis member. The request side of the subject is <see cref="BridgeCommand"/>.
/// </summary>
public static class CommandReply
{
    /// <summary>The reply for a task's answer to a command or query.</summary>
    public static byte[] From(object answer) => Write(json =>
    {
        switch (answer)
        {
            case Accepted accepted:
                Header(json, ok: true, accepted.TaskKey);
                json.WriteString("state", StateName(accepted.State));
                break;
            case Rejected rejected:
                Header(json, ok: false, rejected.TaskKey);
                json.WriteString("state", StateName(rejected.State));
                json.WriteString("error", rejected.Reason);
                break;
            case MostCommon mostCommon:
                Header(json, ok: true, mostCommon.TaskKey);
                json.WritePropertyName("value");
                if (mostCommon.Value is { } value) json.WriteBooleanValue(value);
                else json.WriteNullValue();
                break;
            case TaskSnapshot snapshot:
                WriteSnapshot(json, snapshot);
                break;
            case EventRegistered registered:
                Header(json, ok: true, registered.TaskKey);
                json.WriteString("event_id", registered.EventId);
                json.WriteString("video_proofs", registered.VideoPath);
                json.WriteString("image_proof_path", registered.ImagePath);
                json.WriteNumber("timestamp", registered.Timestamp);
                json.WriteString("error", registered.Error);
                break;
            case RegistrationFailed failed:
                Header(json, ok: false, failed.TaskKey);
                json.WriteString("error", failed.Reason);
                break;
            default:
                json.WriteBoolean("ok", false);
                json.WriteString("error", $"unexpected answer {answer.GetType().Name}");
                break;
        }
    });

    /// <summary>An error reply that no task gave: bad request, timeout.</summary>
    public static byte[] Error(string error, string? key = null) => Write(json =>
    {
        json.WriteBoolean("ok", false);
        if (key is not null) json.WriteString("key", key);
        json.WriteString("error", error);
    });

    public static string StateName(TaskState state) => state.ToString().ToUpperInvariant();

    private static void WriteSnapshot(Utf8JsonWriter json, TaskSnapshot snapshot)
    {
        json.WriteBoolean("ok", true);
        Tasks.TaskSnapshotJson.WriteFields(json, snapshot);
    }

    private static void Header(Utf8JsonWriter json, bool ok, string key)
    {
        json.WriteBoolean("ok", ok);
        json.WriteString("key", key);
    }

    private static byte[] Write(Action<Utf8JsonWriter> body) => WireJson.WriteObjectUtf8(body);
}
