using System.Buffers;
using NATS.Client.Core;

namespace Registrator.Actors.Nats;

/// <summary>
/// Turns a NATS message body into a <see cref="Payload"/>, copying it only when it is within <c>maxBytes</c>: a flood of
/// oversized messages costs no allocation beyond the client's own read buffer. With an <paramref name="arena"/>, small
/// bodies share its chunks (results). Runs on the client's socket reader.
/// </summary>
internal sealed class PayloadDeserializer(int maxBytes, PayloadArena? arena = null) : INatsDeserialize<Payload>
{
    public Payload Deserialize(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length == 0) return Payload.Empty;
        if (buffer.Length > maxBytes) return new Payload(null, buffer.Length);
        return arena is null ? new Payload(buffer.ToArray(), buffer.Length) : arena.Copy(buffer);
    }
}
