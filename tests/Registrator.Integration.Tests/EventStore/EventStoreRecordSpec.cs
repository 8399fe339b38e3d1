using System.Text.Json;
using Akka.Cluster.Tools.PublishSubscribe;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>
/// Recording events against a running redis-server on a single-node cluster: what lands in the sorted set (read back
/// with a plain client), and who hears about it.
/// </summary>
public sealed class EventStoreRecordSpec : EventStoreSpec, IClassFixture<RedisServer>
{
    private const string ClusterHocon = ClusterNodeHocon;

    public EventStoreRecordSpec(RedisServer redis, ITestOutputHelper output) : base(redis, output, ClusterHocon)
    {
        JoinSelfAndAwaitUp();
    }

    [Fact]
    public async Task A_recorded_event_is_one_member_of_the_sorted_set_in_the_python_module_s_schema()
    {
        var store = StartStore();
        var replyTo = CreateTestProbe();
        var e = NewEvent();

        store.Tell(new RecordEvent(e, replyTo.Ref), TestActor);
        await ExpectMsgAsync<EventAccepted>(a => a.EventId == e.EventId);
        await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(20));

        var entry = Assert.Single(await MembersAsync());
        var task = TaskObjectOf(entry.Element!, e.TaskKey);
        Assert.Equal(["message", "video_proofs", "image_proof_path", "event_id", "timestamp", "node_id"], task.EnumerateObject().Select(p => p.Name));
        // The node holding the files, by the name kept in its TMP_PATH: its retention deletes them.
        Assert.Equal(NodeIdOf(), task.GetProperty("node_id").GetString());
        Assert.Equal(YoloMessage, task.GetProperty("message").GetRawText());
        Assert.Equal(e.VideoPath, task.GetProperty("video_proofs").GetString());
        Assert.Equal(e.ImagePath, task.GetProperty("image_proof_path").GetString());
        Assert.Equal(e.EventId.ToString("D"), task.GetProperty("event_id").GetString());
        Assert.Equal(e.Timestamp, task.GetProperty("timestamp").GetDouble());
        Assert.Equal(e.Timestamp, entry.Score);
        Assert.InRange(entry.Score, NowSeconds() - 10, NowSeconds() + 1);
    }

    [Fact]
    public async Task A_registered_event_is_announced_to_the_reply_to_the_event_stream_and_the_cluster_topic()
    {
        var store = StartStore();
        var replyTo = CreateTestProbe();
        var stream = CreateTestProbe();
        Sys.EventStream.Subscribe(stream.Ref, typeof(TaskEvents.EventRegistered));
        Sys.EventStream.Subscribe(stream.Ref, typeof(EventRecorded));
        var topic = CreateTestProbe();
        DistributedPubSub.Get(Sys).Mediator.Tell(new Subscribe(EventStoreActor.Topic, topic.Ref), topic.Ref);
        await topic.ExpectMsgAsync<SubscribeAck>();
        var e = NewEvent();

        store.Tell(new RecordEvent(e, replyTo.Ref), TestActor);

        await ExpectMsgAsync<EventAccepted>(a => a.EventId == e.EventId);
        var expected = new TaskEvents.EventRegistered(e.TaskKey, e.EventId, e.VideoPath, e.ImagePath, e.Timestamp, Error: null);
        Assert.Equal(expected, await replyTo.ExpectMsgAsync<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(20)));
        Assert.Equal(expected, await stream.ExpectMsgAsync<TaskEvents.EventRegistered>());
        var recorded = await stream.ExpectMsgAsync<EventRecorded>();
        Assert.Equal(e, recorded.Event);
        Assert.Equal((string)Assert.Single(await MembersAsync()).Element!, recorded.MemberJson);
        Assert.Equal(expected, await topic.ExpectMsgAsync<TaskEvents.EventRegistered>());
    }

    [Fact]
    public async Task An_event_whose_clip_failed_is_stored_with_null_proofs_and_the_error()
    {
        var store = StartStore();
        var e = NewEvent(error: "no frames to encode");

        store.Tell(new RecordEvent(e, TestActor), TestActor);
        await ExpectMsgAsync<EventAccepted>();
        var registered = await ExpectMsgAsync<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(20));

        Assert.Equal("no frames to encode", registered.Error);
        Assert.Null(registered.VideoPath);
        var task = TaskObjectOf(Assert.Single(await MembersAsync()).Element!, e.TaskKey);
        Assert.Equal(JsonValueKind.Null, task.GetProperty("video_proofs").ValueKind);
        Assert.Equal(JsonValueKind.Null, task.GetProperty("image_proof_path").ValueKind);
        Assert.Equal("no frames to encode", task.GetProperty("error").GetString());
        Assert.Equal(YoloMessage, task.GetProperty("message").GetRawText());
    }

    [Fact]
    public async Task The_message_is_stored_byte_for_byte_under_a_non_ascii_task_key()
    {
        var store = StartStore();
        const string message = """{ "описание": "Движение в зоне",  "score": 0.950, "nested": {"a": [1, 2.50e1]}, "html": "<a&b>" }""";
        var e = NewEvent(taskKey: "камера-1/вход \"A\"", message: message);

        store.Tell(new RecordEvent(e, TestActor), TestActor);
        await ExpectMsgAsync<EventAccepted>();
        await ExpectMsgAsync<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(20));

        var task = TaskObjectOf(Assert.Single(await MembersAsync()).Element!, e.TaskKey);
        Assert.Equal(message, task.GetProperty("message").GetRawText());
    }
}
