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

/// <summary>One inference result in a <see cref="StatusBatch"/>: the flag, the message (a JSON object, checked by the bridge) and its <c>timestamp</c>.</summary>
public readonly record struct BatchedStatus(bool Flag, string MessageJson, double? MessageTime);

/// <summary>
/// The task's answer to a <see cref="StatusBatch"/>: how many statuses it took and how many the lifecycle table
/// rejected (with the first reason), and the state after the last.
/// </summary>
public sealed record StatusBatchAnswer(string TaskKey, TaskState State, int Accepted, int Rejected, string? RejectReason);
