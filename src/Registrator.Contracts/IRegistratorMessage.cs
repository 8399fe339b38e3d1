namespace Registrator.Contracts;

/// <summary>
/// Marker for every message of the Registrator protocol. Our serializer binds to this interface, so a
/// message that crosses nodes never falls back to a general-purpose serializer.
/// </summary>
public interface IRegistratorMessage;

/// <summary>
/// A protocol message addressed to one task entity. <see cref="TaskMessageExtractor"/> routes it to the
/// shard and entity named by <see cref="TaskKey"/>.
/// </summary>
public interface ITaskMessage : IRegistratorMessage
{
    /// <summary>The task key: a camera or a detection task. Any non-empty Unicode string.</summary>
    string TaskKey { get; }
}
