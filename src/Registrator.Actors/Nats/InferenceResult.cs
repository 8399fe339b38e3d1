using System.Text.Json;
using Registrator.Actors.Tasks;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Nats;

/// <summary>
/// Reads an inference result from <c>inference.results</c> into the <see cref="AddStatus"/> the <see cref="NatsBridge"/>
/// sends its task. The schema is the Python module's:
/// <c>{"key": "camera-1", "model": …, "result": {"boxes": [[x1,y1,x2,y2]], "scores": [0.95], "class_ids": [0]}, "frame_id": "frame_001"}</c>,
/// with an optional boolean <c>detected</c> that, when present, is the flag. Otherwise the flag is "any score ≥ min-score";
/// a result without boxes (no <c>scores</c>) is no detection. The whole message is kept verbatim as the status's message.
/// </summary>
public static class InferenceResult
{
    /// <summary>A result as the client API's <see cref="AddStatus"/> (the message kept verbatim).</summary>
    public static Parsed<AddStatus> ToAddStatus(Payload payload, NatsSettings settings)
    {
        var parsed = Parse(payload, settings);
        return parsed.Value is { } result ? new AddStatus(result.Key, result.Status.Flag, result.Status.MessageJson) : parsed.Error!;
    }

    /// <summary>
    /// The result read once, at the edge: its key, and the status the task takes without parsing it again (the flag,
    /// the message verbatim, its numeric <c>timestamp</c> when it has one).
    /// </summary>
    public static Parsed<KeyedStatus> Parse(Payload payload, NatsSettings settings)
    {
        if (payload.TooLarge)
            return new BadInput(BadInputReason.PayloadTooLarge, $"{payload.Length} bytes, more than max-payload ({settings.MaxPayload} bytes)");
        var bytes = payload.Bytes ?? [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            return new BadInput(BadInputReason.InvalidJson, e.Message);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new BadInput(BadInputReason.NotAnObject, $"a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
            if (!root.TryGetProperty(settings.KeyField, out var keyElement) || keyElement.ValueKind != JsonValueKind.String
                || keyElement.GetString() is not { Length: > 0 } key)
                return new BadInput(BadInputReason.MissingKey, $"no non-empty string field '{settings.KeyField}'");
            var (flag, error) = Detected(root, settings.MinScore);
            if (error is not null) return error;
            double? timestamp = root.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetDouble(out var seconds)
                ? seconds
                : null;
            return new KeyedStatus(key, new BatchedStatus(flag, System.Text.Encoding.UTF8.GetString(bytes), timestamp));
        }
    }

    /// <summary>The flag: <c>detected</c> when present, else whether any of <c>result.scores</c> reaches <paramref name="minScore"/>.</summary>
    private static (bool Flag, BadInput? Error) Detected(JsonElement root, double minScore)
    {
        if (root.TryGetProperty("detected", out var detected))
        {
            return detected.ValueKind switch
            {
                JsonValueKind.True => (true, null),
                JsonValueKind.False => (false, null),
                _ => (false, new BadInput(BadInputReason.InvalidResult, "'detected' must be true or false")),
            };
        }
        if (!root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
            return (false, new BadInput(BadInputReason.InvalidResult, "neither a boolean 'detected' nor a 'result' object"));
        if (!result.TryGetProperty("scores", out var scores)) return (false, null);
        var notNumbers = new BadInput(BadInputReason.InvalidResult, "'result.scores' must be an array of numbers");
        if (scores.ValueKind != JsonValueKind.Array) return (false, notNumbers);
        var any = false;
        foreach (var score in scores.EnumerateArray())
        {
            if (score.ValueKind != JsonValueKind.Number) return (false, notNumbers);
            any |= score.GetDouble() >= minScore;
        }
        return (any, null);
    }
}

/// <summary>An inference result read by <see cref="InferenceResult.Parse"/>: the task it belongs to and its status.</summary>
public sealed record KeyedStatus(string Key, BatchedStatus Status);
