using System.Text.Json;
using Registrator.Actors.Tasks;
using Registrator.Actors.Tests.Json;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>The <c>registrator.events.started</c> announcement, written and read back.</summary>
public sealed class IncidentAnnouncementSpec
{
    [Fact]
    public void An_announcement_reads_back_its_incident_with_the_key_raw_UTF8()
    {
        var id = Guid.NewGuid();
        var incident = new Incident(id, 1732521230.5, 1732521231) { ImagePath = "/tmp/медиа/" + id + ".jpg" };

        var started = IncidentAnnouncement.For(WireKey.Key, incident, "http://10.0.0.5:8080/");

        Assert.Contains("\"key\":" + WireKey.Json, started.Json);
        Assert.DoesNotContain("\\u", started.Json);
        Assert.Equal((id, WireKey.Key), (started.EventId, started.TaskKey));
        Assert.Equal(
            new AnnouncedIncident(id, WireKey.Key, 1732521230.5, "/tmp/медиа/" + id + ".jpg", $"http://10.0.0.5:8080/media/{id}/keyframe.jpg"),
            IncidentAnnouncement.Read(started.Json));
    }

    [Fact]
    public void Without_a_keyframe_both_paths_read_back_null()
    {
        var id = Guid.NewGuid();

        var started = IncidentAnnouncement.For("cam", new Incident(id, 1, 1), nodeUrl: null);

        using var document = JsonDocument.Parse(started.Json);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("keyframe_url").ValueKind);
        Assert.Equal(new AnnouncedIncident(id, "cam", 1, null, null), IncidentAnnouncement.Read(started.Json));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"key":"cam"}""")]
    public void What_is_not_an_announcement_reads_as_none(string json) => Assert.Null(IncidentAnnouncement.Read(json));
}
