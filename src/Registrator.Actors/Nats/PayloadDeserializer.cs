using System.Buffers;
using NATS.Client.Core;

namespace Registrator.Actors.Nats;

/// <summary>
/// Turns a NATS message body into a <see cref="Payload"/>, copying it only when it is within <c>maxBytes</c>: a flood of
/// oversized messages costs no allocation beyond the client's own read buffer. Runs on the client's socket reader.
/// </summary>
internal sealed class PayloadDeserializer(int maxBytes) : INatsDeserialize<Payload>
{
    public Payload Deserialize(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length == 0) return Payload.Empty;
        return buffer.Length > maxBytes ? new Payload(null, buffer.Length) : new Payload(buffer.ToArray(), buffer.Length);
    }
}
