using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Registrator.Actors.Json;

/// <summary>
/// The one JSON policy of every format the registrator writes for others (the Redis member and list entry, the
/// registrator.events and .started messages, the outbox and dead-letter lines, command replies, task snapshots, the
/// HTTP API bodies): compact, snake_case, UTF-8 as is. Each format's module writes through these options, so a task key
/// reads the same in redis-cli, on NATS and over HTTP.
/// </summary>
public static class WireJson
{
    /// <summary>
    /// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: non-ASCII stays raw and only quotes, backslash and
    /// control characters are escaped, so the JSON stays valid and never holds a raw line break (JSON lines, members).
    /// Chosen over <c>JavaScriptEncoder.Create(UnicodeRanges.All)</c> because that one still escapes <c>&lt; &gt; &amp; ' +</c>:
    /// the Redis member was already written with this encoder, and its bytes are its identity (an outbox retry's ZADD
    /// and the index scripts compare members byte for byte), so any other choice would change stored members. "Unsafe"
    /// is about pasting JSON into HTML unescaped, which no reader of ours does (HTTP answers are application/json with nosniff).
    /// </summary>
    public static JavaScriptEncoder Encoder { get; } = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>For every hand-written format: compact, <see cref="Encoder"/>.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = Encoder, Indented = false };

    /// <summary>For bodies serialized from records (the HTTP API): snake_case names, as every format of ours spells them, and <see cref="Encoder"/>.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = Frozen(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = Encoder,
        WriteIndented = false,
    });

    /// <summary>Runs <paramref name="write"/> on a fresh writer and returns the UTF-8 JSON.</summary>
    public static byte[] WriteUtf8<TState>(int sizeHint, TState state, Action<Utf8JsonWriter, TState> write) =>
        Written(sizeHint, state, write).WrittenSpan.ToArray();

    /// <summary>Runs <paramref name="write"/> on a fresh writer and returns the JSON as a string.</summary>
    public static string Write<TState>(int sizeHint, TState state, Action<Utf8JsonWriter, TState> write) =>
        System.Text.Encoding.UTF8.GetString(Written(sizeHint, state, write).WrittenSpan);

    /// <summary>One JSON object whose properties <paramref name="fields"/> writes, as a string.</summary>
    public static string WriteObject(Action<Utf8JsonWriter> fields) => Write(256, fields, static (json, fields) =>
    {
        json.WriteStartObject();
        fields(json);
        json.WriteEndObject();
    });

    /// <summary>One JSON object whose properties <paramref name="fields"/> writes, UTF-8.</summary>
    public static byte[] WriteObjectUtf8(Action<Utf8JsonWriter> fields) => WriteUtf8(256, fields, static (json, fields) =>
    {
        json.WriteStartObject();
        fields(json);
        json.WriteEndObject();
    });

    public static void WriteStringOrNull(this Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    public static void WriteBooleanOrNull(this Utf8JsonWriter json, string name, bool? value)
    {
        if (value is { } b) json.WriteBoolean(name, b);
        else json.WriteNull(name);
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } n) json.WriteNumber(name, n);
        else json.WriteNull(name);
    }

    /// <summary>The string property <paramref name="name"/>; <c>null</c> when absent or not a string.</summary>
    public static string? StringOf(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The number property <paramref name="name"/>; <c>null</c> when absent, not a number or out of range.</summary>
    public static double? NumberOf(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) ? number : null;

    private static ArrayBufferWriter<byte> Written<TState>(int sizeHint, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, sizeHint));
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json, state);
        }
        return buffer;
    }

    // Shared across threads and every caller: frozen, so no one can change the policy for the others.
    private static JsonSerializerOptions Frozen(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
