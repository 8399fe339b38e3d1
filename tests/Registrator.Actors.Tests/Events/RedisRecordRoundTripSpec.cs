using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Redis;
using Registrator.Actors.Tests.Json;
using Xunit;

namespace Registrator.Actors.Tests.Events;

/// <summary>The Redis member (also the registrator.events message) and the list entry, written and read back by their one reader.</summary>
public sealed class RedisRecordRoundTripSpec
{
    private static readonly Guid Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    private static RegisteredEvent Event() => new(
        Id, WireKey.Key, """{"model":"YOLOModel","label":"человек \"в\" кадре"}""",
        "/tmp/медиа/0f8fad5b.mp4", "/tmp/медиа/0f8fad5b.jpg", "диск \\ полон", 1732521234.567, new TaskStatistics(30, 28, true, 2))
    {
        Start = 1732521230.5,
        End = 1732521233.25,
    };

    [Fact]
    public void A_member_reads_back_every_field_it_was_written_with()
    {
        var e = Event();
        var member = EventMember.Build(e, new EventOrigin("http://10.0.0.5:8080", "узел-0"));

        var read = EventMember.Parse(System.Text.Encoding.UTF8.GetBytes(member));

        Assert.NotNull(read);
        Assert.Equal((WireKey.Key, Id, Id), (read.TaskKey, read.RecordedId, read.EventId));
        Assert.Equal(JsonDocument.Parse(e.MessageJson).RootElement.GetRawText(), read.Message!.Value.GetRawText());
        Assert.Equal((e.VideoPath, e.ImagePath, e.Error, (double?)e.Timestamp), (read.VideoPath, read.ImagePath, read.Error, read.Timestamp));
        Assert.Equal(("http://10.0.0.5:8080", "узел-0", e.Start, e.End), (read.Node, read.NodeId, read.Start, read.End));
    }

    [Fact]
    public void A_member_keeps_the_key_raw_UTF8()
    {
        var member = System.Text.Encoding.UTF8.GetBytes(EventMember.Build(Event()));

        Assert.StartsWith("{" + WireKey.Json + ":{", System.Text.Encoding.UTF8.GetString(member));
        Assert.DoesNotContain("\\u", System.Text.Encoding.UTF8.GetString(member));
    }

    [Fact]
    public void Retention_the_indexes_and_the_proofs_read_the_member_as_the_reader_does()
    {
        var member = System.Text.Encoding.UTF8.GetBytes(EventMember.Build(Event(), new EventOrigin(null, "n-1")));
        var read = EventMember.Parse(member)!;

        Assert.Equal(read.Stored, EventMember.Read(member));
        Assert.Equal(new StoredEvent(Id, "n-1", 1732521234.567, "/tmp/медиа/0f8fad5b.mp4", "/tmp/медиа/0f8fad5b.jpg"), read.Stored);
        Assert.Equal((read.TaskKey, read.EventId), EventIndex.Identify(member));
        Assert.Equal((read.VideoPath, read.ImagePath), EventMember.ProofsOf(member));
    }

    [Fact]
    public void A_Python_module_member_without_event_id_is_identified_by_its_file_names()
    {
        var id = Guid.NewGuid();
        var member = System.Text.Encoding.UTF8.GetBytes($$$"""{"cam":{"message":{},"video_proofs":"/tmp/{{{id}}}/{{{id}}}.mp4","image_proof_path":"/tmp/{{{id}}}/{{{id}}}.jpg"}}""");

        var read = EventMember.Parse(member)!;

        Assert.Equal(((Guid?)null, (Guid?)id), (read.RecordedId, read.EventId));
        Assert.Null(EventMember.Read(member).EventId);
        Assert.Equal(("cam", (Guid?)id), EventIndex.Identify(member));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{}")]
    [InlineData("""{"k":"v"}""")]
    public void What_is_not_a_member_reads_as_none(string member)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(member);

        Assert.Null(EventMember.Parse(bytes));
        Assert.Equal(StoredEvent.Unreadable, EventMember.Read(bytes));
        Assert.Equal((null, null), EventIndex.Identify(bytes));
    }

    [Fact]
    public void A_list_entry_reads_back_what_retention_needs_and_keeps_the_key_raw()
    {
        var e = Event();
        var entry = ListEventEntry.Build(e, new EventOrigin(null, "узел-0"));

        Assert.Contains("\"task_name\":" + WireKey.Json, entry);
        Assert.Equal(new StoredEvent(Id, "узел-0", e.Timestamp, e.VideoPath, e.ImagePath), ListEventEntry.Read(System.Text.Encoding.UTF8.GetBytes(entry)));
    }
}
