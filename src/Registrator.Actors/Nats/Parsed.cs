namespace Registrator.Actors.Nats;

/// <summary>
/// What a parser of inbound NATS messages returns: the protocol message to send, or the <see cref="BadInput"/> that says
/// why there is none. Bad input is an expected outcome on these paths, so it is a value, not an exception.
/// </summary>
public readonly record struct Parsed<T>(T? Value, BadInput? Error) where T : class
{
    public bool IsValid => Error is null;

    public static implicit operator Parsed<T>(T value) => new(value, null);

    public static implicit operator Parsed<T>(BadInput error) => new(null, error);
}
