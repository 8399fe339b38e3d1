using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Node.Http;
using Registrator.Node.Http.Events;

namespace Registrator.Node.Tests.Http.Events;

/// <summary>What <c>/api/events</c> makes of a member: the fields the span policy and the cluster add pass through.</summary>
public sealed class EventViewSpec
{
    [Fact]
    public void A_span_incident_s_start_end_and_node_id_reach_the_API_JSON()
    {
        var id = Guid.NewGuid();
        var member = $$$"""{"gate-1":{"message":{"model":"m"},"video_proofs":"/tmp/{{{id}}}/{{{id}}}.mp4","image_proof_path":"/tmp/{{{id}}}/{{{id}}}.jpg","event_id":"{{{id}}}","timestamp":1796000012.4,"start":1796000005.0,"end":1796000010.9,"node":"http://10.0.0.5:8080","node_id":"n-1"}}""";

        var json = JsonSerializer.SerializeToElement(EventView.Parse(member, 1796000012.4), ApiJson.Options);

        Assert.Equal(1796000005.0, json.GetProperty("start").GetDouble());
        Assert.Equal(1796000010.9, json.GetProperty("end").GetDouble());
        Assert.Equal("n-1", json.GetProperty("node_id").GetString());
        Assert.Equal("http://10.0.0.5:8080", json.GetProperty("node").GetString());
    }

    [Fact]
    public void A_window_event_has_no_start_or_end()
    {
        var id = Guid.NewGuid();
        var member = $$$"""{"cam":{"message":{},"video_proofs":null,"image_proof_path":null,"event_id":"{{{id}}}","timestamp":1}}""";

        var json = JsonSerializer.SerializeToElement(EventView.Parse(member, 1), ApiJson.Options);

        Assert.False(json.TryGetProperty("start", out _));
        Assert.False(json.TryGetProperty("end", out _));
        Assert.Equal(id.ToString(), json.GetProperty("event_id").GetString());
    }

    [Fact]
    public void A_member_the_store_wrote_reads_back_into_the_view_with_every_field_and_the_key_raw()
    {
        var id = Guid.NewGuid();
        const string key = "камера/вход-1 \"q\" \\ b";
        var e = new RegisteredEvent(id, key, """{"label":"человек"}""", $"/tmp/{id}/{id}.mp4", $"/tmp/{id}/{id}.jpg", "ошибка", 1796000012.4,
            new TaskStatistics(30, 30, true, 1)) { Start = 1796000005.0, End = 1796000010.9 };
        var member = EventMember.Build(e, new EventOrigin("http://10.0.0.5:8080", "узел-1"));

        var view = EventView.Parse(member, 1796000012.4);
        var json = JsonSerializer.Serialize(view, ApiJson.Options);

        Assert.Equal(new EventView(id, key, 1796000012.4, view!.Message, e.VideoPath, e.ImagePath, "ошибка")
        {
            Node = "http://10.0.0.5:8080",
            NodeId = "узел-1",
            Start = 1796000005.0,
            End = 1796000010.9,
        }, view);
        Assert.Equal("""{"label":"человек"}""", view.Message!.Value.GetRawText());
        Assert.Contains("\"key\":\"камера/вход-1 \\\"q\\\" \\\\ b\"", json);
        Assert.DoesNotContain("\\u", json);
    }
}
