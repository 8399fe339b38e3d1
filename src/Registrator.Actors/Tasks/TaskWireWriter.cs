using System.Buffers.Binary;
using System.Text;

namespace Registrator.Actors.Tasks;

/// <summary>
/// Little-endian writer. Without a buffer it only counts the bytes it would write, so the same code sizes the
/// output exactly and then fills it.
/// </summary>
internal ref struct TaskWireWriter(byte[]? buffer)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[]? _buffer = buffer;
    private long _position;

    public readonly long Position => _position;

    public void Write(bool value) => Write(value ? (byte)1 : (byte)0);

    public void Write(byte value)
    {
        if (_buffer is not null) _buffer[_position] = value;
        _position += 1;
    }

    public void Write(int value)
    {
        if (_buffer is not null) BinaryPrimitives.WriteInt32LittleEndian(Span(4), value);
        _position += 4;
    }

    public void Write(long value)
    {
        if (_buffer is not null) BinaryPrimitives.WriteInt64LittleEndian(Span(8), value);
        _position += 8;
    }

    public void Write(double value)
    {
        if (_buffer is not null) BinaryPrimitives.WriteDoubleLittleEndian(Span(8), value);
        _position += 8;
    }

    public void Write(Guid value)
    {
        if (_buffer is not null && !value.TryWriteBytes(Span(16))) throw new InvalidOperationException("guid did not fit");
        _position += 16;
    }

    /// <summary>A presence byte, then the double only when present.</summary>
    public void Write(double? value)
    {
        Write(value is not null);
        if (value is { } present) Write(present);
    }

    /// <summary>UTC ticks: the instant is kept, the offset is not (it reads back as UTC).</summary>
    public void Write(DateTimeOffset value) => Write(value.UtcTicks);

    /// <summary>A presence byte, then the UTC ticks only when present.</summary>
    public void Write(DateTimeOffset? value)
    {
        Write(value is not null);
        if (value is { } present) Write(present);
    }

    /// <summary>A presence byte, then length-prefixed UTF-8: null and "" stay distinct.</summary>
    public void Write(string? value)
    {
        Write(value is not null);
        if (value is null)
        {
            Write(0);
            return;
        }
        var count = Utf8.GetByteCount(value);
        Write(count);
        if (_buffer is not null) Utf8.GetBytes(value, Span(count));
        _position += count;
    }

    /// <summary>Text already in UTF-8, framed as a present string (<see cref="Write(string?)"/>).</summary>
    public void WriteUtf8(ReadOnlySpan<byte> value)
    {
        Write(true);
        Write(value);
    }

    /// <summary>Length-prefixed raw bytes.</summary>
    public void Write(ReadOnlySpan<byte> value)
    {
        Write(value.Length);
        if (_buffer is not null) value.CopyTo(Span(value.Length));
        _position += value.Length;
    }

    public readonly byte[] ToArray() => _buffer is not null && _position == _buffer.Length
        ? _buffer
        : throw new InvalidOperationException($"TaskData size measured {_buffer?.Length} != written {_position}");

    private readonly Span<byte> Span(int count) => _buffer.AsSpan((int)_position, count);
}
