namespace Registrator.Actors.EventStore;

/// <summary>One line of the outbox file: its 1-based number, where it starts, its bytes (no newline), and whether a newline ended it.</summary>
internal readonly record struct RawLine(long Number, long Offset, ReadOnlyMemory<byte> Bytes, bool Terminated);

/// <summary>
/// Splits the outbox file into lines without decoding them, so that one unreadable line (a torn write) costs only that
/// line. An unterminated last line is still returned: it is what a crash mid-append leaves.
/// </summary>
internal static class OutboxLines
{
    /// <summary>Read buffer size; it doubles for a line longer than that.</summary>
    public const int BufferSize = 64 * 1024;

    /// <summary>The lines between <paramref name="start"/> and <paramref name="end"/>; each line's bytes are valid until the next one is read.</summary>
    public static IEnumerable<RawLine> Read(FileStream input, long start, long end)
    {
        input.Position = start;
        var buffer = new byte[BufferSize];
        var count = 0;
        var bufferOffset = start;
        long number = 0;
        var remaining = end - start;
        while (remaining > 0)
        {
            if (count == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            var read = input.Read(buffer, count, (int)Math.Min(buffer.Length - count, remaining));
            if (read == 0) break;
            remaining -= read;
            count += read;
            var lineStart = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', lineStart, count - lineStart)) >= 0)
            {
                yield return new RawLine(++number, bufferOffset + lineStart, buffer.AsMemory(lineStart, newline - lineStart), Terminated: true);
                lineStart = newline + 1;
            }
            Buffer.BlockCopy(buffer, lineStart, buffer, 0, count - lineStart);
            count -= lineStart;
            bufferOffset += lineStart;
        }
        if (count > 0) yield return new RawLine(++number, bufferOffset, buffer.AsMemory(0, count), Terminated: false);
    }
}
