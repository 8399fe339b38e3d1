using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace Registrator.Actors.Tasks;

/// <summary>
/// Binary serializer for a task's whole state (<see cref="TaskData"/>) and the node-internal messages of the task
/// (<see cref="StatusBatch"/>, <see cref="StatusBatchAnswer"/>), so a shard that moves (rebalance, rolling
/// restart) hands the value to the task's next incarnation on another node. Little-endian fields, UTF-8 strings with a
/// presence byte, H.264 packets and raw pending pixels as raw length-prefixed bytes (never JSON or base64), the output
/// sized exactly up front so each packet is copied once. The manifest carries a version (<c>TaskData/1</c>), so a later
/// format is added beside this one. Bound to <see cref="TaskData"/> in hocon/registrator.conf.
/// </summary>
/// <remarks>
/// One file a part of the format: <see cref="TaskDataV1Format"/> (<c>TaskData/1</c>, the prefix of every version),
/// <see cref="TaskDataV2Format"/> (what <c>TaskData/2</c> adds: the span policy's state), <see cref="CycleFramesFormat"/>
/// (a cycle's frames), <see cref="StatusBatchFormat"/> (the bridge's batches), over <see cref="TaskWireWriter"/> and
/// <see cref="TaskWireReader"/>. Hand-off through Redis keeps no manifest: a task reads what it finds as
/// <c>TaskData/2</c>, else as <c>TaskData/1</c> (saved by an older node; no incident).
/// </remarks>
public sealed class TaskDataSerializer(ExtendedActorSystem actorSystem) : SerializerWithStringManifest(actorSystem)
{
    /// <summary>The serializer id; unique among the system's serializers (RegistratorSerializer is 4711).</summary>
    public const int Id = 4712;

    /// <summary>The first format, still read.</summary>
    public const string ManifestV1 = "TaskData/1";

    /// <summary>The manifest of the format written now: <see cref="ManifestV1"/> plus the span policy's state.</summary>
    public const string ManifestV2 = "TaskData/2";

    /// <summary>The bridge's <see cref="StatusBatch"/>: key, count, then each flag (byte), message (string), time (nullable double).</summary>
    public const string StatusBatchManifest = "StatusBatch/1";

    /// <summary>The task's <see cref="StatusBatchAnswer"/>: key, state (byte), accepted, rejected (int32), reason (nullable string).</summary>
    public const string StatusBatchAnswerManifest = "StatusBatchAnswer/1";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        TaskData => ManifestV2,
        StatusBatch => StatusBatchManifest,
        StatusBatchAnswer => StatusBatchAnswerManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a TaskData, StatusBatch or StatusBatchAnswer", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        StatusBatch batch => Sized(batch, StatusBatchFormat.Write),
        StatusBatchAnswer answer => Sized(answer, StatusBatchFormat.Write),
        TaskData data => Sized(data, WriteV2),
        _ => throw new ArgumentException($"{obj.GetType()} is not a TaskData", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        StatusBatchManifest => Read(bytes, manifest, StatusBatchFormat.ReadBatch),
        StatusBatchAnswerManifest => Read(bytes, manifest, StatusBatchFormat.ReadAnswer),
        ManifestV1 => Read(bytes, manifest, (ref TaskWireReader r) => TaskDataV1Format.Read(ref r, ResolveActorRef)),
        ManifestV2 => Read(bytes, manifest, (ref TaskWireReader r) => TaskDataV2Format.ReadSpan(ref r, TaskDataV1Format.Read(ref r, ResolveActorRef))),
        _ => throw new SerializationException($"unknown TaskData manifest '{manifest}' (a newer node's format?)"),
    };

    /// <summary>Redis keeps no manifest: the state is this version's (TaskData/2) or, saved by an older node, TaskData/1.</summary>
    internal TaskData FromHandoff(byte[] bytes)
    {
        try
        {
            return (TaskData)FromBinary(bytes, ManifestV2);
        }
        catch (SerializationException)
        {
            return (TaskData)FromBinary(bytes, ManifestV1);
        }
    }

    private static void WriteV2(ref TaskWireWriter w, TaskData data)
    {
        TaskDataV1Format.Write(ref w, data);
        TaskDataV2Format.WriteSpan(ref w, data);
    }

    private delegate void WriteAction<in T>(ref TaskWireWriter writer, T value);

    private delegate T ReadFunction<out T>(ref TaskWireReader reader);

    /// <summary>Two passes over the same code: the first measures, the second writes into a buffer of exactly that size.</summary>
    private static byte[] Sized<T>(T value, WriteAction<T> write)
    {
        var measure = new TaskWireWriter(null);
        write(ref measure, value);
        if (measure.Position > Array.MaxLength)
            throw new SerializationException($"{Describe(value)} is {measure.Position} bytes, more than one array holds");
        var writer = new TaskWireWriter(new byte[measure.Position]);
        write(ref writer, value);
        return writer.ToArray();
    }

    private static string Describe(object? value) => value is TaskData data ? $"task {data.Key} state" : $"{value?.GetType().Name}";

    /// <summary>All of <paramref name="bytes"/> is one value: malformed input of any kind is a <see cref="SerializationException"/>.</summary>
    private static T Read<T>(byte[] bytes, string manifest, ReadFunction<T> read)
    {
        try
        {
            var r = new TaskWireReader(bytes);
            var value = read(ref r);
            r.End();
            return value;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or DecoderFallbackException or OverflowException
                                      or InvalidOperationException)
        {
            throw new SerializationException($"invalid {manifest}: {e.Message}", e);
        }
    }

    private IActorRef ResolveActorRef(string path) => system.Provider.ResolveActorRef(path);
}
