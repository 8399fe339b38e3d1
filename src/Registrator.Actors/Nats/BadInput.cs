namespace Registrator.Actors.Nats;

/// <summary>
/// A message the <see cref="NatsBridge"/>'s streams could not deliver, and why: produced by the parsers and the stream
/// stages, counted and logged by the bridge actor. <paramref name="Detail"/> is for the log (and a command's error reply).
/// </summary>
public sealed record BadInput(BadInputReason Reason, string Detail);
