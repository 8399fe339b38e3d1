using System.Globalization;
using System.Net;
using System.Text.Json;
using Akka.Actor;
using Registrator.Contracts;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http;

/// <summary><c>/api/events</c>, <c>/api/events/{id}</c> and <c>/api/tasks/{key}</c> against a node with real events in Redis.</summary>
[Collection(RegisteredEvents.Collection)]
public sealed class EventsApiSpec(RegisteredEvents events)
{
    private TestNode Node => events.Node;

    [Fact]
    public async Task Events_are_listed_newest_first_with_the_Redis_fields_and_media_links()
    {
        var page = await Node.GetJsonAsync("/api/events");

        Assert.Equal(Ids(events.A2, events.B1, events.A1), IdsOf(page));
        Assert.False(page.GetProperty("has_more").GetBoolean());
        var newest = page.GetProperty("events")[0];
        var a2 = events.A2;
        Assert.Equal(events.KeyA, newest.GetProperty("key").GetString());
        Assert.Equal(a2.Timestamp, newest.GetProperty("timestamp").GetDouble(), 3);
        Assert.Equal(JsonDocument.Parse(TestNode.YoloMessage).RootElement.GetRawText(), newest.GetProperty("message").GetRawText());
        Assert.Equal(a2.VideoPath, newest.GetProperty("video_proofs").GetString());
        Assert.Equal(a2.ImagePath, newest.GetProperty("image_proof_path").GetString());
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("error").ValueKind);
        Assert.Equal($"/media/{a2.EventId}/clip.mp4", newest.GetProperty("clip_url").GetString());
        Assert.Equal($"/media/{a2.EventId}/keyframe.jpg", newest.GetProperty("keyframe_url").GetString());
    }

    [Fact]
    public async Task Filtering_by_key_returns_only_that_tasks_events()
    {
        Assert.Equal(Ids(events.A2, events.A1), IdsOf(await Node.GetJsonAsync("/api/events?key=" + Uri.EscapeDataString(events.KeyA))));
        Assert.Equal(Ids(events.B1), IdsOf(await Node.GetJsonAsync("/api/events?key=" + Uri.EscapeDataString(events.KeyB))));
        Assert.Empty(IdsOf(await Node.GetJsonAsync("/api/events?key=nobody")));
    }

    [Fact]
    public async Task Since_and_until_bound_the_timestamps_inclusively()
    {
        var b1 = Seconds(events.B1.Timestamp);

        Assert.Equal(Ids(events.A2, events.B1), IdsOf(await Node.GetJsonAsync($"/api/events?since={b1}")));
        Assert.Equal(Ids(events.B1, events.A1), IdsOf(await Node.GetJsonAsync($"/api/events?until={b1}")));
        Assert.Equal(Ids(events.B1), IdsOf(await Node.GetJsonAsync($"/api/events?since={b1}&until={b1}")));
        Assert.Equal(Ids(events.A2), IdsOf(await Node.GetJsonAsync($"/api/events?key={Uri.EscapeDataString(events.KeyA)}&since={b1}")));
    }

    [Fact]
    public async Task Limit_and_offset_page_through_the_events()
    {
        var first = await Node.GetJsonAsync("/api/events?limit=2");
        Assert.Equal(Ids(events.A2, events.B1), IdsOf(first));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, first.GetProperty("next_offset").GetInt32());

        var second = await Node.GetJsonAsync("/api/events?limit=2&offset=2");
        Assert.Equal(Ids(events.A1), IdsOf(second));
        Assert.False(second.GetProperty("has_more").GetBoolean());

        var keyed = await Node.GetJsonAsync($"/api/events?key={Uri.EscapeDataString(events.KeyA)}&limit=1&offset=1");
        Assert.Equal(Ids(events.A1), IdsOf(keyed));
        Assert.False(keyed.GetProperty("has_more").GetBoolean());
        Assert.Empty(IdsOf(await Node.GetJsonAsync("/api/events?offset=3")));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("offset=-1")]
    [InlineData("since=yesterday")]
    [InlineData("until=NaN")]
    public async Task A_malformed_query_parameter_is_a_400_that_names_the_parameters(string query)
    {
        var error = await Node.GetJsonAsync("/api/events?" + query, HttpStatusCode.BadRequest);
        Assert.Contains("limit", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_event_is_found_by_its_id_and_an_unknown_id_is_404()
    {
        var found = await Node.GetJsonAsync($"/api/events/{events.B1.EventId}");
        Assert.Equal(events.B1.EventId.ToString(), found.GetProperty("event_id").GetString());
        Assert.Equal(events.KeyB, found.GetProperty("key").GetString());
        Assert.Equal($"/media/{events.B1.EventId}/clip.mp4", found.GetProperty("clip_url").GetString());

        await Node.GetJsonAsync($"/api/events/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        await Node.GetJsonAsync("/api/events/not-a-guid", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_task_snapshot_is_read_through_the_shard_region_even_for_a_Unicode_key_with_a_slash()
    {
        Assert.Contains('/', events.KeyB);

        var task = await Node.GetJsonAsync("/api/tasks/" + Uri.EscapeDataString(events.KeyB));

        Assert.Equal(events.KeyB, task.GetProperty("key").GetString());
        Assert.Equal("FINISHED", task.GetProperty("state").GetString());
        Assert.False(task.GetProperty("registering").GetBoolean());
        Assert.Equal(JsonDocument.Parse(TestNode.YoloMessage).RootElement.GetRawText(), task.GetProperty("latest_message").GetRawText());
        var snapshot = await Node.Region.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask(events.KeyB), TimeSpan.FromSeconds(10));
        Assert.Equal(snapshot.Cycle, task.GetProperty("cycle").GetInt32());
    }

    [Fact]
    public async Task A_task_no_command_has_touched_reads_as_NONE()
    {
        var key = "never-seen-" + Guid.NewGuid().ToString("N")[..6];

        var task = await Node.GetJsonAsync("/api/tasks/" + Uri.EscapeDataString(key));

        Assert.Equal(("NONE", 0), (task.GetProperty("state").GetString(), task.GetProperty("frame_count").GetInt32()));
    }

    private static string[] Ids(params TaskEvents.EventRegistered[] registered) => registered.Select(r => r.EventId.ToString()).ToArray();

    private static string[] IdsOf(JsonElement page) =>
        page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!).ToArray();

    private static string Seconds(double timestamp) => timestamp.ToString("R", CultureInfo.InvariantCulture);
}
