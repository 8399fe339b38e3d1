using System.Text.Json;
using Registrator.Node.Http;

namespace Registrator.Node.Tests.Http;

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
}
