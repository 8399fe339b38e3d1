using System.Collections.Immutable;
using Registrator.Contracts;

namespace Registrator.Actors.Tasks;

/// <summary>
/// The node-internal messages between the NATS bridge and a task: <c>StatusBatch/1</c> is key, count, then each flag
/// (byte), message (string), time (nullable double); <c>StatusBatchAnswer/1</c> is key, state (byte), accepted, rejected
/// (int32), reason (nullable string).
/// </summary>
internal static class StatusBatchFormat
{
    public static void Write(ref TaskWireWriter w, StatusBatch batch)
    {
        w.Write(batch.TaskKey);
        w.Write(batch.Statuses.Length);
        foreach (var status in batch.Statuses)
        {
            w.Write(status.Flag); w.WriteUtf8(status.Message.Span); w.Write(status.MessageTime);
        }
    }

    public static void Write(ref TaskWireWriter w, StatusBatchAnswer answer)
    {
        w.Write(answer.TaskKey); w.Write((byte)answer.State); w.Write(answer.Accepted); w.Write(answer.Rejected); w.Write(answer.RejectReason);
    }

    public static StatusBatch ReadBatch(ref TaskWireReader r)
    {
        var key = r.ReadString();
        var count = r.ReadCount(7, "statuses");
        var statuses = ImmutableArray.CreateBuilder<BatchedStatus>(count);
        for (var i = 0; i < count; i++) statuses.Add(new BatchedStatus(r.ReadBool(), r.ReadUtf8(), r.ReadNullableDouble()));
        return new StatusBatch(key, statuses.MoveToImmutable());
    }

    public static StatusBatchAnswer ReadAnswer(ref TaskWireReader r) =>
        new(r.ReadString(), (TaskState)r.ReadByte(), r.ReadInt(), r.ReadInt(), r.ReadNullableString());
}
