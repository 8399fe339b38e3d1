using System.Buffers.Binary;
using System.Text;

namespace Registrator.Contracts.Serialization;

/// <summary>Little-endian writer into a buffer sized up front, so a frame's pixels are copied exactly once.</summary>
internal ref struct WireWriter(int capacity)
{
    private readonly byte[] _buffer = new byte[capacity];
    private int _position;

    public static int SizeOf(string? value) => 5 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));
    public static int SizeOf(byte[] value) => 4 + value.Length;
    public static int SizeOf(double? value) => value is null ? 1 : 9;

    public void Write(bool value) => _buffer[_position++] = value ? (byte)1 : (byte)0;

    public void Write(byte value) => _buffer[_position++] = value;

    public void Write(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    public void Write(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void Write(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void Write(Guid value)
    {
        value.TryWriteBytes(_buffer.AsSpan(_position));
        _position += 16;
    }

    /// <summary>A presence byte, then the double only when present.</summary>
    public void Write(double? value)
    {
        Write(value is not null);
        if (value is { } present) Write(present);
    }

    /// <summary>A presence byte, then length-prefixed UTF-8: null and "" stay distinct.</summary>
    public void Write(string? value)
    {
        Write(value is not null);
        var count = value is null ? 0 : Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position + 4));
        Write(count);
        _position += count;
    }

    public void Write(byte[] value)
    {
        Write(value.Length);
        value.CopyTo(_buffer.AsSpan(_position));
        _position += value.Length;
    }

    public byte[] ToArray() => _position == _buffer.Length
        ? _buffer
        : throw new InvalidOperationException($"serializer size estimate {_buffer.Length} != written {_position}");
}
