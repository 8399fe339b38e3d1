using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;

namespace Registrator.Actors.Tasks;

/// <summary>Reads what <see cref="TaskWireWriter"/> wrote; truncated or inconsistent input throws <see cref="SerializationException"/>.</summary>
internal ref struct TaskWireReader(ReadOnlySpan<byte> data)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    private readonly int Left => _data.Length - _position;

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new SerializationException($"invalid boolean byte {b} at offset {_position - 1}"),
    };

    public byte ReadByte() => Take(1)[0];
    public int ReadInt() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public long ReadLong() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
    public Guid ReadGuid() => new(Take(16));

    /// <summary>An enum stored as one byte; a value the enum does not define is invalid input, not a new member.</summary>
    public T ReadEnum<T>(string what) where T : struct, Enum
    {
        var value = ReadByte();
        var result = (T)Enum.ToObject(typeof(T), value);
        return Enum.IsDefined(result) ? result : throw new SerializationException($"invalid {what} {value}");
    }

    public double? ReadNullableDouble() => ReadBool() ? ReadDouble() : null;

    public DateTimeOffset ReadDateTimeOffset()
    {
        var ticks = ReadLong();
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            throw new SerializationException($"UTC ticks {ticks} out of range");
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public DateTimeOffset? ReadNullableDateTimeOffset() => ReadBool() ? ReadDateTimeOffset() : null;

    /// <summary>
    /// A count of items that take at least <paramref name="minBytesEach"/> bytes each: negative counts, and counts
    /// the rest of the input cannot hold, throw before anything is allocated for them.
    /// </summary>
    public int ReadCount(int minBytesEach, string what)
    {
        var count = ReadInt();
        if (count < 0) throw new SerializationException($"negative {what} count {count}");
        if ((long)count * minBytesEach > Left)
            throw new SerializationException($"{what} count {count} does not fit the {Left} bytes left");
        return count;
    }

    public string? ReadNullableString()
    {
        var present = ReadBool();
        var length = Length();
        if (!present)
            return length == 0 ? null : throw new SerializationException($"absent string with length {length}");
        return Utf8.GetString(Take(length));
    }

    public string ReadString() => ReadNullableString() ?? throw new SerializationException("a required string is missing");

    public byte[] ReadBytes() => Take(Length()).ToArray();

    /// <summary>A required string (<see cref="ReadString"/>) as its UTF-8 bytes, copied.</summary>
    public byte[] ReadUtf8() => ReadBool() ? ReadBytes() : throw new SerializationException("a required string is missing");

    public readonly void End()
    {
        if (Left != 0) throw new SerializationException($"{Left} trailing bytes");
    }

    private int Length()
    {
        var length = ReadInt();
        return length >= 0 ? length : throw new SerializationException($"negative length {length}");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Left)
            throw new SerializationException($"TaskData truncated: needed {count} bytes at offset {_position} of {_data.Length}");
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
