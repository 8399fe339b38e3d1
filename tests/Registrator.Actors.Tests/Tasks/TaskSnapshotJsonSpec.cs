using System.Collections.Immutable;
using System.Text.Json;
using Registrator.Actors.Nats;
using Registrator.Actors.Tasks;
using Registrator.Actors.Tests.Json;
using Registrator.Contracts;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>The task snapshot JSON (NATS <c>get</c>, HTTP <c>/api/tasks/{key}</c>), written and read back.</summary>
public sealed class TaskSnapshotJsonSpec
{
    private static readonly Guid EventId = Guid.NewGuid();

    private static TaskReplies.TaskSnapshot Snapshot() => new(
        WireKey.Key, TaskState.Pending, [true, false, true], 40, 320, 240, 123456, 1, 2, 3, 4, true,
        """{"label":"человек \"в\" кадре"}""", FramesPending: 5, GopsDropped: 6, FramesSkipped: 7, FramesLate: 8,
        Registrations: ImmutableArray.Create(new TaskReplies.RegistrationInFlight(EventId, 4, 40, "encoding")),
        SettingsJson: """{"policy":"span","override":"камера/*"}""",
        IncidentJson: TaskSettingsJson.Incident(new Incident(EventId, 1732521230.5, 1732521233.25) { ImagePath = "/tmp/кадр.jpg", Part = 2 }));

    [Fact]
    public void A_snapshot_reads_back_every_field_with_its_key_raw_UTF8()
    {
        var bytes = TaskSnapshotJson.ToUtf8(Snapshot());
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        using var document = JsonDocument.Parse(bytes);
        var json = document.RootElement;

        Assert.StartsWith("{\"key\":" + WireKey.Json + ",", text);
        Assert.DoesNotContain("\\u", text);
        Assert.Equal((WireKey.Key, "PENDING"), (json.GetProperty("key").GetString(), json.GetProperty("state").GetString()));
        Assert.Equal([true, false, true], json.GetProperty("statuses").EnumerateArray().Select(s => s.GetBoolean()));
        Assert.Equal([40, 320, 240, 123456, 1, 2, 3, 4, 5, 6, 7, 8],
            new[] { "frame_count", "frame_width", "frame_height", "buffered_bytes", "frames_dropped", "statuses_dropped", "rejected", "cycle",
                "frames_pending", "gops_dropped", "frames_skipped", "frames_late" }.Select(name => json.GetProperty(name).GetInt64()));
        Assert.True(json.GetProperty("registering").GetBoolean());
        var registration = Assert.Single(json.GetProperty("registrations").EnumerateArray());
        Assert.Equal((EventId, 4, 40, "encoding"), (registration.GetProperty("event_id").GetGuid(), registration.GetProperty("cycle").GetInt32(),
            registration.GetProperty("frame_count").GetInt32(), registration.GetProperty("stage").GetString()));
        Assert.Equal("человек \"в\" кадре", json.GetProperty("latest_message").GetProperty("label").GetString());
        Assert.Equal("камера/*", json.GetProperty("settings").GetProperty("override").GetString());
        var incident = json.GetProperty("incident");
        Assert.Equal((EventId, 1732521230.5, 1732521233.25, 2, "/tmp/кадр.jpg"), (incident.GetProperty("event_id").GetGuid(), incident.GetProperty("start").GetDouble(),
            incident.GetProperty("last_detection").GetDouble(), incident.GetProperty("part").GetInt32(), incident.GetProperty("image_proof_path").GetString()));
    }

    [Fact]
    public void The_command_reply_carries_the_snapshot_s_bytes_after_ok()
    {
        var snapshot = System.Text.Encoding.UTF8.GetString(TaskSnapshotJson.ToUtf8(Snapshot()));

        Assert.Equal("{\"ok\":true," + snapshot[1..], System.Text.Encoding.UTF8.GetString(CommandReply.From(Snapshot())));
    }

    [Fact]
    public void A_snapshot_without_settings_registrations_or_incident_reads_back_empty_and_null()
    {
        using var document = JsonDocument.Parse(TaskSnapshotJson.ToUtf8(new TaskReplies.TaskSnapshot(
            "k", TaskState.None, [], 0, 0, 0, 0, 0, 0, 0, 0, false, null)));
        var json = document.RootElement;

        Assert.Empty(json.GetProperty("registrations").EnumerateArray());
        Assert.False(json.TryGetProperty("settings", out _));
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (json.GetProperty("latest_message").ValueKind, json.GetProperty("incident").ValueKind));
    }
}
