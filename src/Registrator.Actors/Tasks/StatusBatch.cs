using System.Collections.Immutable;
using Registrator.Contracts;

namespace Registrator.Actors.Tasks;

/// <summary>
/// Statuses of one task from one slice of the NATS results stream, in the order they arrived: the bridge parses each
/// inference result once (key, flag, <c>timestamp</c>) and sends a key's results of the slice together, so the task
/// takes many statuses per message and never parses their JSON again. Node-internal (the bridge to the task, sent in a
/// <c>ShardingEnvelope</c>; serialized by <see cref="TaskDataSerializer"/> when the task lives on another node) —
/// clients send <see cref="TaskCommands.AddStatus"/>, whose message the task checks itself. Answered with one
/// <see cref="StatusBatchAnswer"/>. Valid in every state AddStatus is; each status is taken as an AddStatus would be.
/// </summary>
public sealed record StatusBatch(string TaskKey, ImmutableArray<BatchedStatus> Statuses)
{
    /// <summary>How many of <paramref name="statuses"/> report a detection.</summary>
    public static int DetectedIn(ImmutableArray<BatchedStatus> statuses)
    {
        var detected = 0;
        foreach (var status in statuses) if (status.Flag) detected++;
        return detected;
    }
}

/// <summary>
/// One inference result in a <see cref="StatusBatch"/>: the flag, the message (a JSON object, checked by the bridge) as
/// its UTF-8 bytes, and its <c>timestamp</c>. From NATS the bytes are the body itself, in the bridge's pinned chunk until
/// the slice is answered: the task makes a string only of the message it keeps (most are superseded within the batch),
/// so a flood of results leaves no string per result waiting in the slices in flight for the GC to copy.
/// </summary>
public readonly struct BatchedStatus : IEquatable<BatchedStatus>
{
    public BatchedStatus(bool flag, ReadOnlyMemory<byte> message, double? messageTime)
    {
        Flag = flag;
        Message = message;
        MessageTime = messageTime;
    }

    public BatchedStatus(bool flag, string messageJson, double? messageTime) : this(flag, System.Text.Encoding.UTF8.GetBytes(messageJson), messageTime) { }

    public bool Flag { get; }
    /// <summary>The message's UTF-8 bytes; valid while the batch is being handled, not after its answer.</summary>
    public ReadOnlyMemory<byte> Message { get; }
    public double? MessageTime { get; }

    /// <summary>The message as a string (a new one on each call).</summary>
    public string MessageJson => System.Text.Encoding.UTF8.GetString(Message.Span);

    public bool Equals(BatchedStatus other) =>
        Flag == other.Flag && MessageTime == other.MessageTime && Message.Span.SequenceEqual(other.Message.Span);

    public override bool Equals(object? obj) => obj is BatchedStatus other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Flag, MessageTime, Message.Length);

    public static bool operator ==(BatchedStatus left, BatchedStatus right) => left.Equals(right);

    public static bool operator !=(BatchedStatus left, BatchedStatus right) => !left.Equals(right);
}

/// <summary>
/// The task's answer to a <see cref="StatusBatch"/>: how many statuses it took and how many the lifecycle table
/// rejected (with the first reason), and the state after the last.
/// </summary>
public sealed record StatusBatchAnswer(string TaskKey, TaskState State, int Accepted, int Rejected, string? RejectReason);
