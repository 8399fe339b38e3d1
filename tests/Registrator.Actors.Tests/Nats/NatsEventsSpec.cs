using Registrator.Actors.Events;
using Registrator.Actors.Nats;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Nats;

public sealed class NatsEventsSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    [Fact]
    public async Task A_recorded_event_is_published_as_the_exact_Redis_member_with_its_id_in_a_header()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        await using var subscription = await Publisher.SubscribeCoreAsync<byte[]>(Nats.EventsSubject);
        await Publisher.PingAsync(); // the server has our subscription before anything is published
        var key = "камера-1";
        var eventId = Guid.NewGuid();
        var member = $$$"""{"{{{key}}}": {"message": {"model": "yolo"}, "video_proofs": "/tmp/{{{eventId}}}/{{{eventId}}}.mp4", "image_proof_path": "/tmp/{{{eventId}}}/{{{eventId}}}.jpg", "event_id": "{{{eventId}}}", "timestamp": 1700000000.5}}""";
        var recorded = new EventRecorded(
            new RegisteredEvent(eventId, key, """{"model": "yolo"}""", $"/tmp/{eventId}/{eventId}.mp4", $"/tmp/{eventId}/{eventId}.jpg", null, 1700000000.5,
                new TaskStatistics(30, 30, true, 0)),
            member);

        Sys.EventStream.Publish(recorded);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var message = await subscription.Msgs.ReadAsync(timeout.Token);
        Assert.Equal(member, System.Text.Encoding.UTF8.GetString(message.Data!));
        Assert.Equal(eventId.ToString(), message.Headers?[NatsHeaderNames.EventId].ToString());
        Assert.Equal(0, Counters.Total);
    }

    [Fact]
    public async Task An_incident_start_is_published_on_the_started_subject_as_the_tasks_JSON_with_its_id_in_a_header()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        await using var started = await Publisher.SubscribeCoreAsync<byte[]>(Nats.StartedSubject);
        await Publisher.PingAsync(); // the server has our subscription before anything is published
        var (key, eventId) = ("камера-2", Guid.NewGuid());
        var json = $$"""{"event_id": "{{eventId}}", "key": "{{key}}", "start": 1700000000.25, "image_proof_path": "/tmp/{{eventId}}/{{eventId}}.jpg", "keyframe_url": null}""";

        Sys.EventStream.Publish(new IncidentStarted(eventId, key, json));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var message = await started.Msgs.ReadAsync(timeout.Token);
        Assert.Equal(json, System.Text.Encoding.UTF8.GetString(message.Data!));
        Assert.Equal(eventId.ToString(), message.Headers?[NatsHeaderNames.EventId].ToString());
        Assert.Equal(NatsHeaderNames.Json, message.Headers?[NatsHeaderNames.ContentType].ToString());
        Assert.Equal(0, Counters.Total);
    }
}
