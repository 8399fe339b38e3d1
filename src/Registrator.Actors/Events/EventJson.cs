using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Registrator.Actors.Events;

/// <summary>What every JSON the event store writes shares: compact, and readable in redis-cli.</summary>
internal static class EventJson
{
    /// <summary>
    /// Compact (JSON lines and Redis members never contain a raw line break), and non-ASCII task keys and paths stay
    /// readable: only quotes, backslashes and control characters are escaped. Never embedded in HTML by us.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Runs <paramref name="write"/> on a fresh writer and returns the UTF-8 JSON as a string.</summary>
    public static string Write<TState>(int sizeHint, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, sizeHint));
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json, state);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void WriteStringOrNull(this Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }
}
