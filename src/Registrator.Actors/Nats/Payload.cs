namespace Registrator.Actors.Nats;

/// <summary>
/// A message body as the <see cref="NatsBridge"/>'s subscriptions deliver it: the bytes, or only the length when the body
/// was over the subscription's limit (it is then never copied out of the client's buffer).
/// </summary>
/// <param name="Bytes">The body; <c>null</c> when <see cref="TooLarge"/>.</param>
/// <param name="Length">The body's length in bytes.</param>
public readonly record struct Payload(byte[]? Bytes, long Length)
{
    public bool TooLarge => Bytes is null && Length > 0;

    public static Payload Empty { get; } = new([], 0);
}
