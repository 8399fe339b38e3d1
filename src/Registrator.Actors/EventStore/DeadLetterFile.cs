using System.Text.Json;
using Registrator.Actors.Json;

namespace Registrator.Actors.EventStore;

/// <summary>
/// The dead letters: <c>&lt;outbox-path&gt;/dead-letters.jsonl</c>, one JSON object per line,
/// <c>{"v":1,"op":"dead","event_id":"…","reason":"…","attempts":n,"at":&lt;unix seconds&gt;,"add":"&lt;the event's outbox line&gt;"}</c>.
/// The outbox line is kept verbatim, so a replay writes the bytes the first attempt would have.
/// Written by the node's event store and rewritten by the <c>dead-letters replay</c> command, possibly while the node
/// runs: every operation holds the file exclusively (an flock through <see cref="FileShare.None"/>) for its duration,
/// and a rewrite is a temp file renamed over it, so neither ever sees the other's half-written state.
/// Blocking I/O: callers run it off an actor's thread.
/// </summary>
public sealed class DeadLetterFile(string outboxDirectory)
{
    public const string FileName = "dead-letters.jsonl";
    private const int Version = 1;

    public string FilePath { get; } = Path.Combine(outboxDirectory, FileName);

    /// <summary>Appends one dead letter and flushes it to disk.</summary>
    /// <exception cref="IOException">The file is in use (a replay rewriting it) or cannot be written: try again later.</exception>
    public void Append(DeadLetter letter)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        using var stream = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        stream.Write(Line(letter));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Every dead letter in file order; unreadable lines are returned as problems, never fatal.</summary>
    public (IReadOnlyList<DeadLetter> Letters, IReadOnlyList<string> Problems) ReadAll(Func<string, bool> knownSink)
    {
        if (!File.Exists(FilePath)) return ([], []);
        using var stream = OpenExclusive(FileMode.Open);
        return Parse(ReadLines(stream), knownSink);
    }

    /// <summary>Removes the dead letters of <paramref name="eventIds"/> (replayed ones); returns how many lines went.</summary>
    public int Remove(IReadOnlySet<Guid> eventIds, Func<string, bool> knownSink)
    {
        if (eventIds.Count == 0 || !File.Exists(FilePath)) return 0;
        // Held until the rename: an append waiting for it then opens the new file.
        using var stream = OpenExclusive(FileMode.Open);
        var lines = ReadLines(stream);
        var kept = new List<string>(lines.Count);
        var removed = 0;
        foreach (var line in lines)
        {
            if (TryParse(line, knownSink, out var letter, out _) && eventIds.Contains(letter!.EventId)) removed++;
            else kept.Add(line);
        }
        if (removed == 0) return 0;
        var temp = FilePath + ".tmp";
        using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var line in kept)
            {
                output.Write(System.Text.Encoding.UTF8.GetBytes(line));
                output.WriteByte((byte)'\n');
            }
            output.Flush(flushToDisk: true);
        }
        File.Move(temp, FilePath, overwrite: true);
        return removed;
    }

    internal static byte[] Line(DeadLetter letter)
    {
        var add = OutboxLine.Added(letter.Pending);
        var json = WireJson.WriteUtf8(add.Length + letter.Reason.Length + 256, (letter, add), static (json, state) =>
        {
            var (letter, add) = state;
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("op", "dead");
            json.WriteString("event_id", letter.EventId.ToString("D"));
            json.WriteString("task_key", letter.Pending.Event.TaskKey);
            json.WriteString("reason", letter.Reason);
            json.WriteNumber("attempts", letter.Attempts);
            json.WriteNumber("at", letter.At.ToUnixTimeMilliseconds() / 1000.0);
            // Without its line break: the add line is embedded as a string.
            json.WriteString("add", add.AsSpan(0, add.Length - 1));
            json.WriteEndObject();
        });
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    private static (IReadOnlyList<DeadLetter>, IReadOnlyList<string>) Parse(IReadOnlyList<string> lines, Func<string, bool> knownSink)
    {
        var letters = new List<DeadLetter>();
        var problems = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (TryParse(lines[i], knownSink, out var letter, out var problem)) letters.Add(letter!);
            else if (problem is not null) problems.Add($"line {i + 1}: {problem}");
        }
        return (letters, problems);
    }

    private static bool TryParse(string line, Func<string, bool> knownSink, out DeadLetter? letter, out string? problem)
    {
        letter = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(line)) return false;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("add", out var add) || add.ValueKind != JsonValueKind.String)
            {
                problem = "not a dead letter";
                return false;
            }
            if (OutboxLine.Parse(System.Text.Encoding.UTF8.GetBytes(add.GetString()!), knownSink) is not OutboxEntry.Added added)
            {
                problem = "its outbox line is not an event";
                return false;
            }
            var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
            var attempts = root.TryGetProperty("attempts", out var a) && a.TryGetInt32(out var n) ? n : 0;
            var at = root.TryGetProperty("at", out var t) && t.TryGetDouble(out var seconds)
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
                : DateTimeOffset.MinValue;
            letter = new DeadLetter(added.Event, reason, attempts, at);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            problem = ex.Message;
            return false;
        }
    }

    private FileStream OpenExclusive(FileMode mode) => new(FilePath, mode, FileAccess.ReadWrite, FileShare.None);

    private static List<string> ReadLines(FileStream stream)
    {
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }
}
