using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>
/// <c>registrator.events.store = list</c>: the documentation's CustomEventRegistrator, one list per task under
/// <c>custom_events:&lt;task key&gt;</c> with the task's statistics.
/// </summary>
public sealed class ListStoreSpec(RedisServer redis, ITestOutputHelper output)
    : EventStoreSpec(redis, output, "registrator.events.store = list"), IClassFixture<RedisServer>
{
    [Fact]
    public async Task The_list_store_pushes_the_custom_registrator_s_entry_with_statistics()
    {
        var store = StartStore();
        var first = NewEvent(statistics: new TaskStatistics(FrameCount: 42, StatusCount: 30, MostCommonStatus: false, Cycle: 3));
        var second = NewEvent(taskKey: first.TaskKey, error: "encoder crashed", statistics: new TaskStatistics(0, 0, null, 4));

        foreach (var e in new[] { first, second })
        {
            store.Tell(new RecordEvent(e, TestActor), TestActor);
            await ExpectMsgAsync<EventAccepted>(a => a.EventId == e.EventId);
            await ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(20));
        }

        var entries = await (await ClientAsync()).ListRangeAsync("custom_events:" + first.TaskKey);
        Assert.Equal(2, entries.Length);
        // LPUSH: the newest first.
        using (var newest = JsonDocument.Parse((string)entries[0]!))
        {
            var root = newest.RootElement;
            Assert.Equal(second.EventId.ToString("D"), root.GetProperty("event_id").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("most_common_status").ValueKind);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("video_proofs").ValueKind);
            Assert.Equal("encoder crashed", root.GetProperty("error").GetString());
        }
        using (var oldest = JsonDocument.Parse((string)entries[1]!))
        {
            var root = oldest.RootElement;
            Assert.Equal(
                ["task_name", "message", "statistics", "most_common_status", "event_id", "timestamp", "video_proofs", "image_proof_path", "node_id"],
                root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(NodeIdOf(), root.GetProperty("node_id").GetString());
            Assert.Equal(first.TaskKey, root.GetProperty("task_name").GetString());
            Assert.Equal(YoloMessage, root.GetProperty("message").GetRawText());
            var statistics = root.GetProperty("statistics");
            Assert.Equal(42, statistics.GetProperty("frames_count").GetInt32());
            Assert.Equal(30, statistics.GetProperty("status_count").GetInt32());
            Assert.Equal(3, statistics.GetProperty("cycle").GetInt32());
            Assert.False(root.GetProperty("most_common_status").GetBoolean());
            Assert.Equal(first.EventId.ToString("D"), root.GetProperty("event_id").GetString());
            Assert.Equal(first.Timestamp, root.GetProperty("timestamp").GetDouble());
            Assert.Equal(first.VideoPath, root.GetProperty("video_proofs").GetString());
            Assert.Equal(first.ImagePath, root.GetProperty("image_proof_path").GetString());
        }
        Assert.Empty(await MembersAsync());
    }

    [Fact]
    public async Task A_list_entry_redelivered_after_a_crash_is_not_pushed_twice()
    {
        var e = NewEvent();
        await LeaveInOutboxAsync(e);
        var atCrash = await File.ReadAllBytesAsync(OutboxFile);
        await DeliverOnAnotherNodeAsync(e);
        await File.WriteAllBytesAsync(OutboxFile, atCrash);
        var stream = CreateTestProbe();
        Sys.EventStream.Subscribe(stream.Ref, typeof(TaskEvents.EventRegistered));

        StartStore();

        await stream.ExpectMsgAsync<TaskEvents.EventRegistered>(r => r.EventId == e.EventId, TimeSpan.FromSeconds(30));
        Assert.Equal(1, await (await ClientAsync()).ListLengthAsync("custom_events:" + e.TaskKey));
    }
}
