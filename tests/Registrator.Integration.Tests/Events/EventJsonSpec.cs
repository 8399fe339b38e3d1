using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.EventStore.Sinks;

namespace Registrator.Integration.Tests.Events;

/// <summary>The JSON the store writes, without Redis: the Python module's member schema and the documentation's list entry.</summary>
public sealed class EventJsonSpec
{
    private static RegisteredEvent Event(string? error = null) => new(
        Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), "camera_001_event", """{"model":"YOLOModel","frame_id":7}""",
        error is null ? "/tmp/0f8fad5b/0f8fad5b.mp4" : null, error is null ? "/tmp/0f8fad5b/0f8fad5b.jpg" : null, error,
        1732521234.567, new TaskStatistics(30, 30, true, 1));

    [Fact]
    public void A_member_is_the_python_schema_plus_event_id_and_timestamp()
    {
        Assert.Equal(
            """{"camera_001_event":{"message":{"model":"YOLOModel","frame_id":7},"video_proofs":"/tmp/0f8fad5b/0f8fad5b.mp4","image_proof_path":"/tmp/0f8fad5b/0f8fad5b.jpg","event_id":"0f8fad5b-d9cb-469f-a165-70867728950e","timestamp":1732521234.567}}""",
            EventMember.Build(Event()));
    }

    [Fact]
    public void A_member_and_a_list_entry_name_the_node_holding_the_files_and_read_back()
    {
        var e = Event();
        var origin = new EventOrigin("http://10.0.0.5:8080", "registrator-0");

        var member = EventMember.Build(e, origin);
        var entry = ListEventEntry.Build(e, origin);

        Assert.EndsWith(""","node":"http://10.0.0.5:8080","node_id":"registrator-0"}}""", member);
        Assert.EndsWith(""","node":"http://10.0.0.5:8080","node_id":"registrator-0"}""", entry);
        var expected = new StoredEvent(e.EventId, "registrator-0", e.Timestamp, e.VideoPath, e.ImagePath);
        Assert.Equal(expected, EventMember.Read(System.Text.Encoding.UTF8.GetBytes(member)));
        Assert.Equal(expected, ListEventEntry.Read(System.Text.Encoding.UTF8.GetBytes(entry)));
        Assert.Equal(expected with { NodeId = null }, EventMember.Read(System.Text.Encoding.UTF8.GetBytes(EventMember.Build(e))));
        Assert.Equal(StoredEvent.Unreadable, EventMember.Read("[1,2]"u8));
        Assert.Equal(StoredEvent.Unreadable, ListEventEntry.Read("not json"u8));
    }

    [Fact]
    public void A_member_of_a_failed_clip_has_null_proofs_and_the_error()
    {
        Assert.Equal(
            """{"camera_001_event":{"message":{"model":"YOLOModel","frame_id":7},"video_proofs":null,"image_proof_path":null,"event_id":"0f8fad5b-d9cb-469f-a165-70867728950e","timestamp":1732521234.567,"error":"disk full"}}""",
            EventMember.Build(Event("disk full")));
    }

    [Fact]
    public void A_list_entry_is_the_custom_registrator_s_event_data()
    {
        Assert.Equal(
            """{"task_name":"camera_001_event","message":{"model":"YOLOModel","frame_id":7},"statistics":{"frames_count":30,"status_count":30,"cycle":1},"most_common_status":true,"event_id":"0f8fad5b-d9cb-469f-a165-70867728950e","timestamp":1732521234.567,"video_proofs":"/tmp/0f8fad5b/0f8fad5b.mp4","image_proof_path":"/tmp/0f8fad5b/0f8fad5b.jpg"}""",
            ListEventEntry.Build(Event()));
    }

    [Fact]
    public void Building_a_member_twice_gives_the_same_bytes()
    {
        var e = Event();
        Assert.Equal(EventMember.Build(e), EventMember.Build(e with { }));
    }

    [Fact]
    public void A_message_that_is_not_json_is_refused_with_the_exceptions_the_store_handles()
    {
        var ex = Record.Exception(() => EventMember.Build(Event() with { MessageJson = "{not json" }));
        Assert.True(ex is ArgumentException or JsonException, $"unexpected {ex?.GetType()}");
    }

    [Fact]
    public void Retention_reads_the_proof_paths_of_a_member_and_ignores_foreign_members()
    {
        Assert.Equal(("/tmp/0f8fad5b/0f8fad5b.mp4", "/tmp/0f8fad5b/0f8fad5b.jpg"), EventMember.ProofsOf(System.Text.Encoding.UTF8.GetBytes(EventMember.Build(Event()))));
        Assert.Equal((null, null), EventMember.ProofsOf("not json"u8));
        Assert.Equal((null, null), EventMember.ProofsOf("[1,2]"u8));
        Assert.Equal((null, null), EventMember.ProofsOf("""{"k":{"video_proofs":5}}"""u8));
    }

    [Fact]
    public void Back_off_doubles_from_min_up_to_max_and_stretches_by_the_random_factor()
    {
        var min = TimeSpan.FromMilliseconds(200);
        var max = TimeSpan.FromSeconds(30);
        Assert.Equal(TimeSpan.FromMilliseconds(200), Backoff.Delay(1, min, max, 0.2, random: 0));
        Assert.Equal(TimeSpan.FromMilliseconds(400), Backoff.Delay(2, min, max, 0.2, random: 0));
        Assert.Equal(TimeSpan.FromMilliseconds(1600), Backoff.Delay(4, min, max, 0.2, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(30), Backoff.Delay(50, min, max, 0.2, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(36), Backoff.Delay(50, min, max, 0.2, random: 1));
    }

    [Fact]
    public void Json_is_valid_and_compact()
    {
        using var document = JsonDocument.Parse(EventMember.Build(Event() with { TaskKey = "line\nbreak" }));
        Assert.DoesNotContain('\n', EventMember.Build(Event() with { TaskKey = "line\nbreak" }));
    }
}
