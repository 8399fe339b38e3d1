namespace Registrator.Actors.Nats;

/// <summary>
/// A message the <see cref="NatsBridge"/>'s streams could not deliver, and why: produced by the parsers and the stream
/// stages, counted and logged by the bridge actor. <paramref name="Detail"/> is for the log (and a command's error reply).
/// <paramref name="Count"/>: how many messages went wrong this way (a batch of statuses a task rejected or did not answer).
/// </summary>
public sealed record BadInput(BadInputReason Reason, string Detail, long Count = 1);
