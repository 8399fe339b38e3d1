using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Akka.Cluster.Sharding;
using Registrator.Actors.Encoding;
using Registrator.Actors.Nats;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Nats;

public sealed class NatsCommandsSpec(ITestOutputHelper output) : NatsBridgeSpec(output)
{
    private Task<JsonElement> Command(string command, string key, string extra = "") =>
        RequestAsync($$"""{"command":"{{command}}","key":{{JsonSerializer.Serialize(key)}}{{extra}}}""");

    private async Task<string> ReadyKey()
    {
        StartBridge();
        await AwaitBridgeReadyAsync();
        return NewKey();
    }

    [Fact]
    public async Task Create_answers_ok_with_the_state_in_upper_case()
    {
        var key = await ReadyKey();

        var reply = await Command("create", key);

        Assert.True(reply.GetProperty("ok").GetBoolean());
        Assert.Equal(key, reply.GetProperty("key").GetString());
        Assert.Equal("CREATED", reply.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Add_status_appends_with_its_message_and_get_returns_the_snapshot()
    {
        var key = await ReadyKey();

        Assert.Equal("PENDING", (await Command("add-status", key, ""","flag":true,"message":{"model":"yolo","frame_id":"f9"}""")).GetProperty("state").GetString());
        await Command("add-status", key, ""","flag":false""");
        var snapshot = await Command("get", key);

        Assert.True(snapshot.GetProperty("ok").GetBoolean());
        Assert.Equal("PENDING", snapshot.GetProperty("state").GetString());
        Assert.Equal([true, false], snapshot.GetProperty("statuses").EnumerateArray().Select(s => s.GetBoolean()));
        foreach (var field in new[] { "frame_count", "frame_width", "frame_height", "buffered_bytes", "frames_dropped", "statuses_dropped", "rejected", "cycle",
                     "frames_pending", "gops_dropped", "frames_skipped", "frames_late" })
            Assert.Equal(0, snapshot.GetProperty(field).GetInt32());
        Assert.False(snapshot.GetProperty("registering").GetBoolean());
        Assert.Empty(snapshot.GetProperty("registrations").EnumerateArray());
        Assert.Equal("f9", snapshot.GetProperty("latest_message").GetProperty("frame_id").GetString());
    }

    [Fact]
    public async Task Most_common_answers_true_false_or_null()
    {
        var key = await ReadyKey();

        Assert.Equal(JsonValueKind.Null, (await Command("most-common", key)).GetProperty("value").ValueKind);
        await Command("add-status", key, ""","flag":false""");
        Assert.False((await Command("most-common", key)).GetProperty("value").GetBoolean());
        await Command("add-status", key, ""","flag":true""");
        await Command("add-status", key, ""","flag":true""");
        Assert.True((await Command("most-common", key)).GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task Clear_empties_the_statuses()
    {
        var key = await ReadyKey();
        await Command("add-status", key, ""","flag":true""");

        Assert.True((await Command("clear", key)).GetProperty("ok").GetBoolean());

        Assert.Empty((await Command("get", key)).GetProperty("statuses").EnumerateArray());
    }

    [Fact]
    public async Task Stop_after_create_is_DONE_and_stop_on_a_fresh_key_is_rejected_with_the_reason()
    {
        var key = await ReadyKey();
        var fresh = NewKey();
        await Command("create", key);

        Assert.Equal("DONE", (await Command("stop", key)).GetProperty("state").GetString());
        var rejected = await Command("stop", fresh);

        Assert.False(rejected.GetProperty("ok").GetBoolean());
        Assert.Equal("NONE", rejected.GetProperty("state").GetString());
        Assert.False(string.IsNullOrWhiteSpace(rejected.GetProperty("error").GetString()));
        AwaitCount(BadInputReason.TaskRejected, 1);
    }

    [Fact]
    public async Task Register_answers_with_the_event_once_the_clip_is_written()
    {
        var key = await ReadyKey();
        Region.Tell(Frame(key), TestActor);
        ExpectMsg<TaskReplies.Accepted>();

        var request = Command("register", key, ""","message":{"model":"yolo","frame_id":"f1"}""");
        var clip = Encoder.ExpectMsg<WriteClip>();
        Assert.Equal((key, 1), (clip.TaskKey, clip.Packets.Count));
        Encoder.Reply(new EncodeSucceeded(clip.EventId, "/tmp/e/e.mp4", "/tmp/e/e.jpg", clip.Packets.Count, TimeSpan.FromMilliseconds(3)));
        var reply = await request;

        Assert.True(reply.GetProperty("ok").GetBoolean());
        Assert.Equal(clip.EventId, reply.GetProperty("event_id").GetGuid());
        Assert.Equal("/tmp/e/e.mp4", reply.GetProperty("video_proofs").GetString());
        Assert.Equal("/tmp/e/e.jpg", reply.GetProperty("image_proof_path").GetString());
        Assert.True(reply.GetProperty("timestamp").GetDouble() > 1_600_000_000);
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("error").ValueKind);
        Assert.Equal("FINISHED", (await Command("get", key)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Register_of_a_FINISHED_task_answers_ok_false()
    {
        var key = await ReadyKey();
        BringTo(key, TaskState.Finished);

        var reply = await Command("register", key, ""","message":{}""");

        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Equal("FINISHED", reply.GetProperty("state").GetString());
        AwaitCount(BadInputReason.TaskRejected, 1);
    }

    [Fact]
    public async Task Register_while_a_clip_is_being_written_answers_ok_false_and_the_first_still_answers()
    {
        var key = await ReadyKey();
        Region.Tell(Frame(key), TestActor);
        ExpectMsg<TaskReplies.Accepted>();
        var first = Command("register", key, ""","message":{"n":1}""");
        var clip = Encoder.ExpectMsg<WriteClip>();

        var second = await Command("register", key, ""","message":{"n":2}""");

        Assert.False(second.GetProperty("ok").GetBoolean());
        Assert.Equal("DONE", second.GetProperty("state").GetString());
        Assert.Contains("already being registered", second.GetProperty("error").GetString());
        var snapshot = await Command("get", key);
        Assert.True(snapshot.GetProperty("registering").GetBoolean());
        var registration = Assert.Single(snapshot.GetProperty("registrations").EnumerateArray());
        Assert.Equal(clip.EventId, registration.GetProperty("event_id").GetGuid());
        Assert.Equal("writing", registration.GetProperty("stage").GetString());

        Encoder.Reply(new EncodeFailed(clip.EventId, "disk full"));
        var reply = await first;
        Assert.True(reply.GetProperty("ok").GetBoolean());
        Assert.Equal("disk full", reply.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("video_proofs").ValueKind);
    }

    [Fact]
    public async Task Delete_forgets_the_task()
    {
        var key = await ReadyKey();
        await Command("add-status", key, ""","flag":true""");

        Assert.True((await Command("delete", key)).GetProperty("ok").GetBoolean());

        await AwaitAssertAsync(async () => Assert.Equal("NONE", (await Command("get", key)).GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_task_that_does_not_answer_in_time_gets_ok_false_and_the_bridge_moves_on()
    {
        var silent = CreateTestProbe("silent-region");
        StartBridge(Nats with { AskTimeout = TimeSpan.FromMilliseconds(300) }, silent.Ref);

        await AwaitAssertAsync(async () =>
        {
            var reply = await RequestAsync("""{"command":"get","key":"k"}""", TimeSpan.FromSeconds(2));
            Assert.False(reply.GetProperty("ok").GetBoolean());
            Assert.Contains("did not answer", reply.GetProperty("error").GetString());
        });
        silent.ExpectMsg<Registrator.Contracts.TaskQueries.GetTask>();
        await PublishResultAsync(Result("k", detected: true));
        // Results reach the tasks as one batch per key and slice, addressed through an envelope.
        silent.FishForMessage(m => m is ShardingEnvelope { Message: StatusBatch { TaskKey: "k" } batch } && batch.Statuses[0].Flag);

        AwaitAssert(() => Assert.True(Counters[BadInputReason.TaskTimeout] >= 2));
    }

    /// <summary>
    /// More registrations waiting for their events than the commands' <c>parallelism</c>: each still reaches its task,
    /// and a <c>get</c> sent meanwhile is answered at once, not after an event is written.
    /// </summary>
    [Fact]
    public async Task Registrations_waiting_for_their_events_do_not_hold_up_other_commands()
    {
        var registrations = new ConcurrentQueue<(IActorRef Sender, string Key)>();
        var region = CreateTestProbe("registering-region");
        region.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            // A registration answers once its event is written: here, only when the test says so.
            if (message is TaskCommands.RegisterTask register) registrations.Enqueue((sender, register.TaskKey));
            else if (message is TaskQueries.GetTask get) sender.Tell(new TaskReplies.Rejected(get.TaskKey, TaskState.Created, "probe"));
            return AutoPilot.KeepRunning;
        }));
        StartBridge(Nats with { Parallelism = 2 }, region.Ref);
        await AwaitAssertAsync(async () =>
            Assert.Equal("probe", (await RequestAsync("""{"command":"get","key":"ready"}""", TimeSpan.FromMilliseconds(500))).GetProperty("error").GetString()),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));

        var registers = Enumerable.Range(0, 5).Select(i => RequestAsync($$"""{"command":"register","key":"r{{i}}"}""", TimeSpan.FromSeconds(30))).ToArray();
        await AwaitConditionAsync(() => Task.FromResult(registrations.Count == 5), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        var got = await RequestAsync("""{"command":"get","key":"g"}""", TimeSpan.FromSeconds(2));
        Assert.Equal("probe", got.GetProperty("error").GetString());
        Assert.All(registers, r => Assert.False(r.IsCompleted));

        foreach (var (sender, key) in registrations) sender.Tell(new TaskReplies.Rejected(key, TaskState.Finished, "registered elsewhere"));
        var answers = await Task.WhenAll(registers);
        Assert.All(answers, a => Assert.Equal("registered elsewhere", a.GetProperty("error").GetString()));
    }
}
