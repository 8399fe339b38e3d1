using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Configuration;
using Registrator.Contracts;
using Registrator.Contracts.Serialization;
using Xunit;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskEvents;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Contracts;

/// <summary>Every protocol message through the serializer the configuration binds, as remoting would use it.</summary>
public sealed class RegistratorSerializerSpec() : TestKit(RegistratorConfig.Load("akka.actor.provider = local", new System.Collections.Hashtable()))
{
    private const string Key = "cameras/вход №1 🎥";

    public static IEnumerable<object[]> Messages()
    {
        object[] messages =
        [
            new CreateTask(Key), new ClearStatuses(Key), new StopTask(Key), new DeleteTask(Key),
            new GetTask(Key), new GetMostCommon(Key),
            new AddStatus(Key, true), new AddStatus(Key, false, """{"model":"yolo","result":{"scores":[0.9]}}"""),
            new RegisterTask(Key, """{"event_type":"motion"}"""),
            new Accepted(Key, TaskState.Pending), new Rejected(Key, TaskState.Done, "task is DONE"),
            new MostCommon(Key, null), new MostCommon(Key, true), new MostCommon(Key, false),
            new TaskSnapshot(Key, TaskState.Finished, [true, false, true], 3, 640, 480, 2_764_800, 7, 1, 2, 4, true, """{"a":1}"""),
            new TaskSnapshot(Key, TaskState.None, [], 0, 0, 0, 0, 0, 0, 0, 0, false, null),
            new EventRegistered(Key, Guid.NewGuid(), "/tmp/a/a.mp4", "/tmp/a/a.jpg", 1764000000.123, null),
            new EventRegistered(Key, Guid.NewGuid(), null, null, 1764000000.5, "no frames to encode"),
            new RegistrationFailed(Key, "event store did not accept the event in time"),
            new AddFrame(Key, 4, 2, Enumerable.Range(0, 24).Select(i => (byte)i).ToArray(), "frame_001"),
            new AddFrame("", 1, 1, [1, 2, 3]),
        ];
        return messages.Select(m => new[] { m });
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_through_the_bound_serializer(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<RegistratorSerializer>(serializer);
        var manifest = Serialization.ManifestFor(serializer, message);
        var back = Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
        switch (message)
        {
            case AddFrame frame:
                var copy = Assert.IsType<AddFrame>(back);
                Assert.Equal(frame with { Pixels = copy.Pixels }, copy);
                Assert.Equal(frame.Pixels, copy.Pixels);
                break;
            case TaskSnapshot snapshot:
                var snapshotCopy = Assert.IsType<TaskSnapshot>(back);
                Assert.Equal(snapshot.Statuses.ToArray(), snapshotCopy.Statuses.ToArray());
                Assert.Equal(snapshot with { Statuses = snapshotCopy.Statuses }, snapshotCopy);
                break;
            default:
                Assert.Equal(message, back);
                break;
        }
    }

    [Fact]
    public void A_640x480_frame_travels_as_its_raw_bytes_plus_a_small_header()
    {
        var pixels = new byte[640 * 480 * 3];
        new Random(7).NextBytes(pixels);
        var frame = new AddFrame(Key, 640, 480, pixels, "f1");
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(frame);

        var bytes = serializer.ToBinary(frame);
        var copy = (AddFrame)serializer.FromBinary(bytes, serializer.Manifest(frame));

        Assert.InRange(bytes.Length - pixels.Length, 1, 128);
        Assert.Equal(pixels, copy.Pixels);
        Assert.Equal((640, 480, "f1", Key), (copy.Width, copy.Height, copy.FrameId, copy.TaskKey));
    }

    [Fact]
    public void Truncated_or_unknown_input_is_a_clear_serialization_error()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new CreateTask(Key));
        var bytes = serializer.ToBinary(new AddStatus(Key, true));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..^3], "AddStatus/1"));
        Assert.Contains("AddStatus/9", Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "AddStatus/9")).Message);
        Assert.Throws<SerializationException>(() => serializer.FromBinary([.. bytes, 0], "AddStatus/1"));
    }

    [Fact]
    public void Manifests_are_versioned() =>
        Assert.Equal("AddFrame/1", ((SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new CreateTask(Key))).Manifest(new AddFrame(Key, 1, 1, [0, 0, 0])));
}
