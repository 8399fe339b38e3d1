using System.Diagnostics;
using System.Text.Json;
using Registrator.Node.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Node.Tests.Cluster;

/// <summary>
/// A node process that cannot reach Redis keeps the events it registers in its durable outbox; SIGKILLed (no shutdown at
/// all) and started again, now with Redis, it delivers every one of them exactly once. Meanwhile the other node goes on
/// serving the tasks it hosts: their frames, statuses and registrations do not wait for the dead node.
/// </summary>
public sealed class KilledNodeSpec(ITestOutputHelper output)
{
    private const int Tasks = 8;
    private const int Frames = 10;

    [Fact]
    public async Task A_killed_node_delivers_every_event_its_outbox_accepted_exactly_once_and_the_other_node_keeps_serving()
    {
        await using var cluster = await ProcessCluster.StartAsync(output);
        // The first node has the lower address: the split-brain resolver keeps it when the two lose each other.
        var nodes = cluster.AddNodes(2);
        var (survivor, victim) = (nodes[0], nodes[1]);
        await cluster.StartAsync(survivor);
        var nobody = ProcessCluster.FreePort();
        await cluster.StartAsync(victim, redisPort: nobody, mayFail: ["redis"]);

        var tasks = HeldTasks.Create(cluster, Tasks, "killed");
        await tasks.FeedAsync(Frames);
        // A burst through both bridges of nodes just started: a cold bridge may hand a frame over after the window
        // released newer ones (counted late, by design). What this spec is about is the outbox, below.
        await tasks.AwaitHeldAsync(survivor, lateAllowed: true);
        var held = new Dictionary<string, int>();
        foreach (var key in tasks.Keys) held[key] = (await cluster.CommandAsync("get", key)).GetProperty("frame_count").GetInt32();

        // Register every task at once: the survivor's answer once Redis has their events; the victim's never do.
        var replies = tasks.Keys.ToDictionary(key => key, key => ReplyOrNullAsync(cluster, key));
        var victimKeys = new List<string>();
        var outboxed = new Dictionary<string, string>();
        await Poll.UntilAsync(async () =>
        {
            outboxed = OutboxAdds(victim);
            var inRedis = (await cluster.EventsInRedisAsync()).Select(e => e.Key).ToHashSet();
            Assert.True(tasks.Keys.All(k => inRedis.Contains(k) || outboxed.ContainsKey(k)),
                $"events in Redis [{string.Join(", ", inRedis)}], in the victim's outbox [{string.Join(", ", outboxed.Keys)}]");
        }, TimeSpan.FromSeconds(60));
        victimKeys.AddRange(outboxed.Keys);
        Assert.True(victimKeys.Count > 0, "the victim hosts no task: nothing went to its outbox");
        Assert.True(victimKeys.Count < Tasks, "the survivor hosts no task");
        Assert.Equal(victimKeys.Count, await victim.MetricAsync("registrator_outbox_depth"));
        foreach (var key in tasks.Keys.Except(victimKeys))
            Assert.True((await replies[key])?.GetProperty("ok").GetBoolean(), $"register {key} on the survivor did not answer ok");

        await victim.KillAsync();
        Assert.Equal(137, victim.LastExitCode);
        var killed = Stopwatch.StartNew();
        // Once the survivor's failure detector has given up on the victim (the cluster cannot converge now), its own
        // tasks go on as if nothing happened: a new cycle of frames and statuses, and its event.
        await Poll.UntilAsync(() =>
        {
            Assert.Contains($"Marking node(s) as UNREACHABLE [Member(address = {victim.AkkaAddress}", survivor.ReadLog(), StringComparison.Ordinal);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(60));
        output.WriteLine($"victim unreachable for the survivor {killed.Elapsed.TotalSeconds:F1} s after SIGKILL");
        var survivorTasks = new HeldTasks(cluster, tasks.Keys.Except(victimKeys).ToArray(), firstFrame: tasks.NextFrame);
        await survivorTasks.FeedAsync(Frames);
        await survivorTasks.AwaitHeldAsync(survivor, TimeSpan.FromSeconds(30));
        foreach (var key in survivorTasks.Keys)
        {
            var reply = await cluster.CommandAsync("register", key, """{"model":"yolo"}""", TimeSpan.FromSeconds(30));
            Assert.True(reply.GetProperty("ok").GetBoolean(), $"register {key} while the other node is dead: {reply}");
        }

        await cluster.StartAsync(victim);
        output.WriteLine($"victim Up again {killed.Elapsed.TotalSeconds:F1} s after SIGKILL");
        await Poll.UntilAsync(async () =>
        {
            var events = await cluster.EventsInRedisAsync();
            foreach (var (key, eventId) in outboxed)
                Assert.True(events.Count(e => e.EventId == eventId) == 1, $"event {eventId} of {key} is in Redis {events.Count(e => e.EventId == eventId)} times");
            Assert.Equal(Tasks + survivorTasks.Keys.Count, events.Count);
            Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        }, TimeSpan.FromSeconds(60));
        output.WriteLine($"{outboxed.Count} events of the victim's outbox in Redis {killed.Elapsed.TotalSeconds:F1} s after SIGKILL");
        Assert.Equal(0, await victim.MetricAsync("registrator_outbox_depth"));

        // The replayed events name the victim as the node holding their clips; the survivor proxies them from it.
        var recorded = await cluster.EventsInRedisAsync();
        foreach (var (key, eventId) in outboxed)
        {
            Assert.Equal(victim.BaseAddress.ToString().TrimEnd('/'), recorded.Single(e => e.EventId == eventId).Node?.TrimEnd('/'));
            var clip = await cluster.DownloadClipAsync(survivor, eventId);
            Assert.Equal(held[key], FfmpegCli.Probe(clip).FramesRead);
        }
    }

    /// <summary>The register command's reply, or null when none comes in time (the victim's events wait for Redis).</summary>
    private static async Task<JsonElement?> ReplyOrNullAsync(ProcessCluster cluster, string key)
    {
        try
        {
            return await cluster.CommandAsync("register", key, """{"model":"yolo"}""", TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is NATS.Client.Core.NatsNoReplyException or NATS.Client.Core.NatsNoRespondersException
                                       or TimeoutException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The events the victim's outbox holds as accepted and undelivered: task key → event id.</summary>
    private static Dictionary<string, string> OutboxAdds(NodeProcess node)
    {
        var file = Path.Combine(node.OutboxPath, "events.jsonl");
        var result = new Dictionary<string, string>();
        if (!File.Exists(file)) return result;
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            if (root.GetProperty("op").GetString() != "add") continue;
            result[root.GetProperty("event").GetProperty("task_key").GetString()!] = root.GetProperty("event_id").GetString()!;
        }
        return result;
    }
}
