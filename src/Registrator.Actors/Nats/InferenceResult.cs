using System.Text.Json;
using Registrator.Actors.Configuration;
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
    public static Parsed<KeyedStatus> Parse(Payload payload, NatsSettings settings) => Parse(payload, settings, null);

    /// <summary>The same, where a key seen before (in <paramref name="keys"/>) is the same string again.</summary>
    internal static Parsed<KeyedStatus> Parse(Payload payload, NatsSettings settings, KeyCache? keys)
    {
        if (payload.TooLarge)
            return new BadInput(BadInputReason.PayloadTooLarge, $"{payload.Length} bytes, more than max-payload ({settings.MaxPayload} bytes)");
        var bytes = payload.Span;
        Fields fields;
        try
        {
            fields = Read(bytes, settings, keys);
        }
        catch (JsonException e)
        {
            return new BadInput(BadInputReason.InvalidJson, e.Message);
        }
        if (fields.RootKind is not JsonTokenType.StartObject)
            return new BadInput(BadInputReason.NotAnObject, $"a JSON {KindName(fields.RootKind)}, not an object");
        if (fields.Key is not { Length: > 0 } key)
            return new BadInput(BadInputReason.MissingKey, $"no non-empty string field '{settings.KeyField}'");
        bool flag;
        if (fields.Detected is { } detected)
        {
            if (detected is not (JsonTokenType.True or JsonTokenType.False))
                return new BadInput(BadInputReason.InvalidResult, "'detected' must be true or false");
            flag = detected is JsonTokenType.True;
        }
        else if (!fields.ResultIsObject)
            return new BadInput(BadInputReason.InvalidResult, "neither a boolean 'detected' nor a 'result' object");
        else if (fields.ScoresInvalid)
            return new BadInput(BadInputReason.InvalidResult, "'result.scores' must be an array of numbers");
        else
            flag = fields.AnyScore;
        // The message stays in the payload's bytes: the task makes a string of the one it keeps.
        return new KeyedStatus(key, new BatchedStatus(flag, payload.Bytes.AsMemory(payload.Offset, (int)payload.Length), fields.Timestamp)) { Chunk = payload.Chunk };
    }

    /// <summary>What <see cref="Read"/> found at the top level (the last of a repeated field counts).</summary>
    private struct Fields
    {
        public JsonTokenType RootKind;
        public string? Key;
        public JsonTokenType? Detected;
        public bool ResultIsObject;
        public bool ScoresInvalid;
        public bool AnyScore;
        public double? Timestamp;
    }

    /// <summary>
    /// One pass of a forward-only reader over the whole message (so malformed JSON anywhere is invalid-json, as a full
    /// parse would say), reading only the fields the status needs and skipping the rest without building a document.
    /// </summary>
    private static Fields Read(ReadOnlySpan<byte> bytes, NatsSettings settings, KeyCache? keys)
    {
        var fields = new Fields();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read()) throw new JsonException("empty message");
        fields.RootKind = reader.TokenType;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            while (reader.Read()) { }
            return fields;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(settings.KeyField))
            {
                reader.Read();
                fields.Key = reader.TokenType != JsonTokenType.String ? null
                    : keys is not null && !reader.ValueIsEscaped ? keys.Get(reader.ValueSpan) ?? reader.GetString() : reader.GetString();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("detected"))
            {
                reader.Read();
                fields.Detected = reader.TokenType;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("timestamp"))
            {
                reader.Read();
                fields.Timestamp = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var seconds) ? seconds : null;
            }
            else if (reader.ValueTextEquals("result"))
            {
                reader.Read();
                fields.ResultIsObject = reader.TokenType == JsonTokenType.StartObject;
                (fields.ScoresInvalid, fields.AnyScore) = (false, false);
                if (fields.ResultIsObject) ReadResult(ref reader, settings.MinScore, ref fields);
                else reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        while (reader.Read()) { }
        return fields;
    }

    /// <summary>Inside <c>result</c>: whether <c>scores</c> is an array of numbers and any reaches the threshold.</summary>
    private static void ReadResult(ref Utf8JsonReader reader, double minScore, ref Fields fields)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var scores = reader.ValueTextEquals("scores");
            reader.Read();
            if (!scores)
            {
                reader.Skip();
                continue;
            }
            (fields.ScoresInvalid, fields.AnyScore) = (false, false);
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                fields.ScoresInvalid = true;
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Number) fields.AnyScore |= reader.GetDouble() >= minScore;
                else
                {
                    fields.ScoresInvalid = true;
                    reader.Skip();
                }
            }
        }
    }

    private static string KindName(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };
}

/// <summary>An inference result read by <see cref="InferenceResult.Parse(Payload, NatsSettings)"/>: the task it belongs to and its status.</summary>
public sealed record KeyedStatus(string Key, BatchedStatus Status)
{
    /// <summary>The arena chunk the status's message lies in, if any: released once the task has handled it.</summary>
    internal PayloadChunk? Chunk { get; init; }
}
