using System.Text.Json;
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
    public static Parsed<AddStatus> ToAddStatus(Payload payload, NatsSettings settings)
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
            return new AddStatus(key, flag, System.Text.Encoding.UTF8.GetString(bytes));
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
