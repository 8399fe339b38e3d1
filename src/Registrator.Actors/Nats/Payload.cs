namespace Registrator.Actors.Nats;

/// <summary>
/// A message body as the <see cref="NatsBridge"/>'s subscriptions deliver it: the bytes, or only the length when the body
/// was over the subscription's limit (it is then never copied out of the client's buffer).
/// </summary>
/// <param name="Bytes">
/// The body (frames, commands: exactly its bytes); for results the shared chunk it sits in at <see cref="Offset"/>
/// (<see cref="PayloadArena"/>), so read results through <see cref="Span"/>. <c>null</c> when <see cref="TooLarge"/>.
/// </param>
/// <param name="Length">The body's length in bytes.</param>
public readonly record struct Payload(byte[]? Bytes, long Length)
{
    public bool TooLarge => Bytes is null && Length > 0;

    /// <summary>Where the body starts in <see cref="Bytes"/>: 0 unless it shares a chunk.</summary>
    public int Offset { get; init; }

    /// <summary>The shared chunk the body was copied into, to release once it is read; null for a body of its own.</summary>
    internal PayloadChunk? Chunk { get; init; }

    /// <summary>The body's bytes (empty when too large).</summary>
    public ReadOnlySpan<byte> Span => Bytes is null ? default : Bytes.AsSpan(Offset, (int)Length);

    public static Payload Empty { get; } = new([], 0);
}
