using System.Text.Unicode;

namespace Registrator.Actors.Nats;

/// <summary>
/// One string per task key for the results a subscription parses: a flood sends the same keys over and over, and a
/// new string per result only lives as long as its slice, which is long enough for the GC to copy it. Read by one
/// thread at a time (the graph's parsing step). Bounded: past <see cref="Capacity"/> keys it starts again empty.
/// </summary>
internal sealed class KeyCache
{
    public const int Capacity = 65_536;
    /// <summary>Longer keys are rare; they get a string each rather than a larger buffer on the stack.</summary>
    private const int LongestCached = 256;

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _byChars;

    public KeyCache() => _byChars = _keys.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The key whose UTF-8 bytes are <paramref name="utf8"/>; null when they are not valid UTF-8 or too long to cache.</summary>
    public string? Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > LongestCached) return null;
        Span<char> chars = stackalloc char[LongestCached];
        if (Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done) return null;
        var key = chars[..written];
        if (_byChars.TryGetValue(key, out var known)) return known;
        if (_keys.Count >= Capacity) _keys.Clear();
        var added = new string(key);
        _keys[added] = added;
        return added;
    }
}
