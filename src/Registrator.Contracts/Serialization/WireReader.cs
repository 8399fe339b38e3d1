using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;

namespace Registrator.Contracts.Serialization;

/// <summary>Reads what <see cref="WireWriter"/> wrote; truncated or inconsistent input throws <see cref="SerializationException"/>.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public bool ReadBool() => Take(1)[0] != 0;
    public byte ReadByte() => Take(1)[0];
    public int ReadInt() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public long ReadLong() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
    public Guid ReadGuid() => new(Take(16));

    /// <summary>What <c>WireWriter.Write(double?)</c> wrote: a presence byte (0 or 1), then the double when present.</summary>
    public double? ReadNullableDouble() => ReadByte() switch
    {
        0 => null,
        1 => ReadDouble(),
        var b => throw new SerializationException($"invalid presence byte {b}"),
    };

    /// <summary>
    /// A count of items that take at least <paramref name="minBytesEach"/> bytes each: negative counts, and counts the rest
    /// of the message cannot hold, throw before anything is allocated for them.
    /// </summary>
    public int ReadCount(int minBytesEach, string what)
    {
        var count = ReadInt();
        if (count < 0) throw new SerializationException($"negative {what} count {count}");
        if ((long)count * minBytesEach > _data.Length - _position)
            throw new SerializationException($"{what} count {count} does not fit the {_data.Length - _position} bytes left");
        return count;
    }

    public string? ReadNullableString()
    {
        var present = ReadBool();
        var text = Encoding.UTF8.GetString(Take(Length()));
        return present ? text : null;
    }

    public string ReadString() => ReadNullableString() ?? throw new SerializationException("a required string is missing");

    public byte[] ReadBytes() => Take(Length()).ToArray();

    public void End()
    {
        if (_position != _data.Length) throw new SerializationException($"{_data.Length - _position} trailing bytes");
    }

    private int Length()
    {
        var length = ReadInt();
        return length >= 0 ? length : throw new SerializationException($"negative length {length}");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
            throw new SerializationException($"message truncated: needed {count} bytes at offset {_position} of {_data.Length}");
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
