using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskEvents;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Contracts.Serialization;

/// <summary>
/// Binary serializer for every <see cref="IRegistratorMessage"/> that crosses nodes: little-endian fields, UTF-8
/// strings, frame pixels as raw bytes (never JSON or base64). Manifests carry a version (<c>AddFrame/2</c>), so a
/// later format is added beside the old one and mixed-version clusters keep talking. Bound by
/// <see cref="Hocon"/>, which nodes and clients both load.
/// </summary>
/// <remarks>
/// Formats written now, and the older ones still read:
/// <list type="bullet">
/// <item><c>AddFrame/2</c>: <c>AddFrame/1</c> (key, width, height, pixels, frame id) plus the capture time as a presence
/// byte and, when present, a double. <c>AddFrame/1</c> reads with no capture time.</item>
/// <item><c>AddFrame/3</c>: <c>AddFrame/2</c> plus the <see cref="FrameFormat"/> byte; written only for a JPEG frame, so
/// raw frames stay readable by nodes that know only <c>AddFrame/2</c>.</item>
/// <item><c>TaskSnapshot/2</c>: <c>TaskSnapshot/1</c> plus frames pending, GOPs dropped, frames skipped, frames late and
/// the registrations in flight (a count, then each event id, cycle, frame count and stage). <c>TaskSnapshot/1</c> reads
/// with those counters zero and no registrations.</item>
/// <item><c>TaskSnapshot/3</c>: <c>TaskSnapshot/2</c> plus the settings in force and the open incident (two nullable
/// strings, JSON objects). <c>TaskSnapshot/2</c> reads with both <c>null</c>.</item>
/// </list>
/// </remarks>
public sealed class RegistratorSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id; unique among the system's serializers.</summary>
    public const int Id = 4711;

    /// <summary>HOCON that registers and binds this serializer.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.registrator = "Registrator.Contracts.Serialization.RegistratorSerializer, Registrator.Contracts"
          serialization-bindings {
            "Registrator.Contracts.IRegistratorMessage, Registrator.Contracts" = registrator
          }
          serialization-identifiers {
            "Registrator.Contracts.Serialization.RegistratorSerializer, Registrator.Contracts" = 4711
          }
        }
        """;

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        CreateTask => "CreateTask/1",
        AddStatus => "AddStatus/1",
        // A raw frame keeps AddFrame/2, which older nodes read; only a JPEG frame needs /3.
        AddFrame { Format: FrameFormat.Bgr24 } => "AddFrame/2",
        AddFrame => "AddFrame/3",
        ClearStatuses => "ClearStatuses/1",
        StopTask => "StopTask/1",
        RegisterTask => "RegisterTask/1",
        DeleteTask => "DeleteTask/1",
        GetTask => "GetTask/1",
        GetMostCommon => "GetMostCommon/1",
        Accepted => "Accepted/1",
        Rejected => "Rejected/1",
        MostCommon => "MostCommon/1",
        TaskSnapshot => "TaskSnapshot/3",
        EventRegistered => "EventRegistered/1",
        RegistrationFailed => "RegistrationFailed/1",
        _ => throw new ArgumentException($"{o.GetType()} is not a Registrator message this serializer knows", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case CreateTask m: return KeyOnly(m.TaskKey);
            case ClearStatuses m: return KeyOnly(m.TaskKey);
            case StopTask m: return KeyOnly(m.TaskKey);
            case DeleteTask m: return KeyOnly(m.TaskKey);
            case GetTask m: return KeyOnly(m.TaskKey);
            case GetMostCommon m: return KeyOnly(m.TaskKey);
            case AddStatus m:
            {
                var w = new WireWriter(WireWriter.SizeOf(m.TaskKey) + 1 + WireWriter.SizeOf(m.MessageJson));
                w.Write(m.TaskKey); w.Write(m.Flag); w.Write(m.MessageJson);
                return w.ToArray();
            }
            case AddFrame m:
            {
                var v3 = m.Format != FrameFormat.Bgr24;
                var w = new WireWriter(WireWriter.SizeOf(m.TaskKey) + 8 + WireWriter.SizeOf(m.Pixels) + WireWriter.SizeOf(m.FrameId)
                    + WireWriter.SizeOf(m.CaptureTime) + (v3 ? 1 : 0));
                w.Write(m.TaskKey); w.Write(m.Width); w.Write(m.Height); w.Write(m.Pixels); w.Write(m.FrameId); w.Write(m.CaptureTime);
                if (v3) w.Write((byte)m.Format);
                return w.ToArray();
            }
            case RegisterTask m:
            {
                var w = new WireWriter(WireWriter.SizeOf(m.TaskKey) + WireWriter.SizeOf(m.MessageJson));
                w.Write(m.TaskKey); w.Write(m.MessageJson);
                return w.ToArray();
            }
            case Accepted m:
            {
                var w = new WireWriter(WireWriter.SizeOf(m.TaskKey) + 1);
                w.Write(m.TaskKey); w.Write((byte)m.State);
                return w.ToArray();
            }
            case Rejected m:
            {
                var w = new WireWriter(WireWriter.SizeOf(m.TaskKey) + 1 + WireWriter.SizeOf(m.Reason));
                w.Write(m.TaskKey); w.Write((byte)m.State); w.Write(m.Reason);
                return w.ToArray();
            }
            case MostCommon m:
            {
                var w = new WireWriter(WireWriter.SizeOf(m.TaskKey) + 1);
                w.Write(m.TaskKey); w.Write((byte)(m.Value switch { null => 0, false => 1, true => 2 }));
                return w.ToArray();
            }
            case TaskSnapshot m:
            {
                // default(ImmutableArray) (a snapshot built without registrations) travels as an empty list.
                var statuses = m.Statuses.IsDefault ? [] : m.Statuses;
                var registrations = m.Registrations.IsDefault ? [] : m.Registrations;
                var size = WireWriter.SizeOf(m.TaskKey) + 1 + 4 + statuses.Length + 4 * 3 + 8 * 4 + 4 + 1
                    + WireWriter.SizeOf(m.LatestMessageJson)
                    + 4 + 8 * 3 + 4
                    + WireWriter.SizeOf(m.SettingsJson) + WireWriter.SizeOf(m.IncidentJson);
                foreach (var registration in registrations) size += 16 + 4 + 4 + WireWriter.SizeOf(registration.Stage);
                var w = new WireWriter(size);
                w.Write(m.TaskKey); w.Write((byte)m.State);
                w.Write(statuses.Length);
                foreach (var status in statuses) w.Write(status);
                w.Write(m.FrameCount); w.Write(m.FrameWidth); w.Write(m.FrameHeight);
                w.Write(m.BufferedBytes); w.Write(m.FramesDropped); w.Write(m.StatusesDropped); w.Write(m.RejectedCommands);
                w.Write(m.Cycle); w.Write(m.Registering); w.Write(m.LatestMessageJson);
                // Version 2 from here on.
                w.Write(m.FramesPending); w.Write(m.GopsDropped); w.Write(m.FramesSkipped); w.Write(m.FramesLate);
                w.Write(registrations.Length);
                foreach (var registration in registrations)
                {
                    w.Write(registration.EventId); w.Write(registration.Cycle); w.Write(registration.FrameCount); w.Write(registration.Stage);
                }
                // Version 3 from here on.
                w.Write(m.SettingsJson); w.Write(m.IncidentJson);
                return w.ToArray();
            }
            case EventRegistered m:
            {
                var w = new WireWriter(WireWriter.SizeOf(m.TaskKey) + 16 + WireWriter.SizeOf(m.VideoPath) + WireWriter.SizeOf(m.ImagePath)
                    + 8 + WireWriter.SizeOf(m.Error));
                w.Write(m.TaskKey); w.Write(m.EventId); w.Write(m.VideoPath); w.Write(m.ImagePath); w.Write(m.Timestamp); w.Write(m.Error);
                return w.ToArray();
            }
            case RegistrationFailed m:
            {
                var w = new WireWriter(WireWriter.SizeOf(m.TaskKey) + WireWriter.SizeOf(m.Reason));
                w.Write(m.TaskKey); w.Write(m.Reason);
                return w.ToArray();
            }
            default:
                throw new ArgumentException($"{obj.GetType()} is not a Registrator message this serializer knows", nameof(obj));
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes);
        object message = manifest switch
        {
            "CreateTask/1" => new CreateTask(r.ReadString()),
            "ClearStatuses/1" => new ClearStatuses(r.ReadString()),
            "StopTask/1" => new StopTask(r.ReadString()),
            "DeleteTask/1" => new DeleteTask(r.ReadString()),
            "GetTask/1" => new GetTask(r.ReadString()),
            "GetMostCommon/1" => new GetMostCommon(r.ReadString()),
            "AddStatus/1" => new AddStatus(r.ReadString(), r.ReadBool(), r.ReadNullableString()),
            "AddFrame/1" => new AddFrame(r.ReadString(), r.ReadInt(), r.ReadInt(), r.ReadBytes(), r.ReadNullableString()),
            "AddFrame/2" => new AddFrame(r.ReadString(), r.ReadInt(), r.ReadInt(), r.ReadBytes(), r.ReadNullableString(), r.ReadNullableDouble()),
            "AddFrame/3" => new AddFrame(r.ReadString(), r.ReadInt(), r.ReadInt(), r.ReadBytes(), r.ReadNullableString(), r.ReadNullableDouble(),
                Format(r.ReadByte())),
            "RegisterTask/1" => new RegisterTask(r.ReadString(), r.ReadString()),
            "Accepted/1" => new Accepted(r.ReadString(), State(r.ReadByte())),
            "Rejected/1" => new Rejected(r.ReadString(), State(r.ReadByte()), r.ReadString()),
            "MostCommon/1" => new MostCommon(r.ReadString(), r.ReadByte() switch
            {
                0 => null,
                1 => false,
                2 => true,
                var b => throw new SerializationException($"invalid most-common value {b}"),
            }),
            "TaskSnapshot/1" => ReadSnapshot(ref r, version: 1),
            "TaskSnapshot/2" => ReadSnapshot(ref r, version: 2),
            "TaskSnapshot/3" => ReadSnapshot(ref r, version: 3),
            "EventRegistered/1" => new EventRegistered(r.ReadString(), r.ReadGuid(), r.ReadNullableString(), r.ReadNullableString(), r.ReadDouble(), r.ReadNullableString()),
            "RegistrationFailed/1" => new RegistrationFailed(r.ReadString(), r.ReadString()),
            _ => throw new SerializationException($"unknown Registrator manifest '{manifest}' (a newer node's message?)"),
        };
        r.End();
        return message;
    }

    private static TaskSnapshot ReadSnapshot(ref WireReader r, int version)
    {
        var key = r.ReadString();
        var state = State(r.ReadByte());
        var count = r.ReadCount(1, "status");
        var statuses = ImmutableArray.CreateBuilder<bool>(count);
        for (var i = 0; i < count; i++) statuses.Add(r.ReadBool());
        var snapshot = new TaskSnapshot(key, state, statuses.MoveToImmutable(), r.ReadInt(), r.ReadInt(), r.ReadInt(),
            r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadInt(), r.ReadBool(), r.ReadNullableString());
        if (version < 2) return snapshot with { Registrations = [] };

        var (pending, gopsDropped, skipped, late) = (r.ReadInt(), r.ReadLong(), r.ReadLong(), r.ReadLong());
        // Each registration takes at least 16 + 4 + 4 + 5 bytes.
        var registrationCount = r.ReadCount(29, "registration");
        var registrations = ImmutableArray.CreateBuilder<RegistrationInFlight>(registrationCount);
        for (var i = 0; i < registrationCount; i++)
            registrations.Add(new RegistrationInFlight(r.ReadGuid(), r.ReadInt(), r.ReadInt(), r.ReadString()));
        snapshot = snapshot with
        {
            FramesPending = pending,
            GopsDropped = gopsDropped,
            FramesSkipped = skipped,
            FramesLate = late,
            Registrations = registrations.MoveToImmutable(),
        };
        if (version < 3) return snapshot;
        return snapshot with { SettingsJson = r.ReadNullableString(), IncidentJson = r.ReadNullableString() };
    }

    private static byte[] KeyOnly(string key)
    {
        var w = new WireWriter(WireWriter.SizeOf(key));
        w.Write(key);
        return w.ToArray();
    }

    private static FrameFormat Format(byte value) => Enum.IsDefined((FrameFormat)value)
        ? (FrameFormat)value
        : throw new SerializationException($"invalid frame format {value}");

    private static TaskState State(byte value) => Enum.IsDefined((TaskState)value)
        ? (TaskState)value
        : throw new SerializationException($"invalid task state {value}");
}
