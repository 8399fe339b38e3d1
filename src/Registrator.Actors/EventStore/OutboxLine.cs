using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Actors.Json;

namespace Registrator.Actors.EventStore;

/// <summary>One parsed line of the outbox file.</summary>
internal abstract record OutboxEntry
{
    /// <summary>An event made durable; to be delivered unless a <see cref="Done"/> line for it follows.</summary>
    public sealed record Added(PendingEvent Event) : OutboxEntry;

    /// <summary>Redis has the event.</summary>
    public sealed record Done(Guid EventId) : OutboxEntry;
}

/// <summary>
/// The outbox file's line format, one JSON object per line (no raw line break can occur inside: strings are escaped):
/// <code>
/// {"v":1,"op":"add","event_id":"…","sink":"sorted-set","key":"events","score":1732521234.567,"payload":"&lt;the exact JSON Redis gets, as a string&gt;",
///  "event":{"task_key":"…","message":"&lt;message JSON, as a string&gt;","video_path":…,"image_path":…,"error":…,"timestamp":…,
///           "frame_count":…,"status_count":…,"most_common_status":…,"cycle":…}}
/// {"v":1,"op":"done","event_id":"…"}
/// </code>
/// The payload is kept as a string so its bytes survive any re-parse exactly; the event is kept whole so replies and
/// published events after a restart say everything the original would have.
/// </summary>
internal static class OutboxLine
{
    private const int Version = 1;

    public static byte[] Added(PendingEvent pending)
    {
        return Terminated(WireJson.WriteUtf8(pending.Payload.Length + pending.Event.MessageJson.Length + 512, pending, static (json, pending) =>
        {
            var e = pending.Event;
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("op", "add");
            json.WriteString("event_id", e.EventId.ToString("D"));
            json.WriteString("sink", pending.Sink);
            json.WriteString("key", pending.RedisKey);
            json.WriteNumber("score", pending.Score);
            json.WriteString("payload", pending.Payload);
            json.WriteStartObject("event");
            json.WriteString("task_key", e.TaskKey);
            json.WriteString("message", e.MessageJson);
            json.WriteStringOrNull("video_path", e.VideoPath);
            json.WriteStringOrNull("image_path", e.ImagePath);
            json.WriteStringOrNull("error", e.Error);
            json.WriteNumber("timestamp", e.Timestamp);
            json.WriteNumber("frame_count", e.Statistics.FrameCount);
            json.WriteNumber("status_count", e.Statistics.StatusCount);
            json.WriteBooleanOrNull("most_common_status", e.Statistics.MostCommonStatus);
            json.WriteNumber("cycle", e.Statistics.Cycle);
            json.WriteEndObject();
            json.WriteEndObject();
        }));
    }

    public static byte[] Done(Guid eventId)
    {
        return Terminated(WireJson.WriteObjectUtf8(json =>
        {
            json.WriteNumber("v", Version);
            json.WriteString("op", "done");
            json.WriteString("event_id", eventId.ToString("D"));
        }));
    }

    /// <summary>Parses one line (without its line break).</summary>
    /// <exception cref="FormatException">Not a complete, valid line of this format (a torn write, say); the message says why.</exception>
    public static OutboxEntry Parse(ReadOnlySpan<byte> line, Func<string, bool> knownSink)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(line);
            document = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != line.Length && !IsWhitespace(line[(int)reader.BytesConsumed..]))
                throw new FormatException("trailing bytes after the JSON object");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not valid JSON ({ex.Message})", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
            if (!root.TryGetProperty("v", out var version) || !version.TryGetInt32(out var v) || v != Version)
                throw new FormatException("unknown or missing format version");
            var eventId = Guid(root, "event_id");
            return String(root, "op") switch
            {
                "done" => new OutboxEntry.Done(eventId),
                "add" => new OutboxEntry.Added(ParseAdded(root, eventId, knownSink)),
                var op => throw new FormatException($"unknown op '{op}'"),
            };
        }
    }

    private static PendingEvent ParseAdded(JsonElement root, Guid eventId, Func<string, bool> knownSink)
    {
        var sink = String(root, "sink");
        if (!knownSink(sink)) throw new FormatException($"unknown sink '{sink}'");
        if (!root.TryGetProperty("event", out var e) || e.ValueKind != JsonValueKind.Object) throw new FormatException("missing 'event'");
        var statistics = new TaskStatistics(
            Int(e, "frame_count"), Int(e, "status_count"), NullableBool(e, "most_common_status"), Int(e, "cycle"));
        var registered = new RegisteredEvent(
            eventId, String(e, "task_key"), String(e, "message"),
            NullableString(e, "video_path"), NullableString(e, "image_path"), NullableString(e, "error"),
            Double(e, "timestamp"), statistics);
        return new PendingEvent(registered, sink, String(root, "key"), Double(root, "score"), String(root, "payload"));
    }

    private static byte[] Terminated(ReadOnlySpan<byte> json)
    {
        var line = new byte[json.Length + 1];
        json.CopyTo(line);
        line[^1] = (byte)'\n';
        return line;
    }

    private static bool IsWhitespace(ReadOnlySpan<byte> bytes) => bytes.TrimStart(" \t\r"u8).IsEmpty;

    private static JsonElement Property(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : throw new FormatException($"missing '{name}'");

    private static string String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString()! : throw new FormatException($"'{name}' is not a string");

    private static string? NullableString(JsonElement element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw new FormatException($"'{name}' is not a string or null"),
    };

    private static bool? NullableBool(JsonElement element, string name) => Property(element, name).ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new FormatException($"'{name}' is not a boolean or null"),
    };

    private static double Double(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetDouble(out var d) ? d : throw new FormatException($"'{name}' is not a number");

    private static int Int(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var i) ? i : throw new FormatException($"'{name}' is not an integer");

    private static Guid Guid(JsonElement element, string name) =>
        System.Guid.TryParseExact(String(element, name), "D", out var id) ? id : throw new FormatException($"'{name}' is not a UUID");
}
