using Akka.Actor;
using Akka.Cluster.Sharding;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http;

/// <summary><c>GET /api/tasks/{key}</c> reads a task without creating one, and finds the running ones and their events through the indexes.</summary>
[Collection(RegisteredEvents.Collection)]
public sealed class TaskReadSpec(RegisteredEvents events)
{
    private TestNode Node => events.Node;

    [Fact]
    public async Task Reading_a_task_no_node_runs_answers_NONE_and_leaves_no_entity_behind()
    {
        var key = "crawled-" + Guid.NewGuid().ToString("N")[..6];

        var task = await Node.GetJsonAsync("/api/tasks/" + Uri.EscapeDataString(key));

        Assert.Equal((key, "NONE", 0), (task.GetProperty("key").GetString(), task.GetProperty("state").GetString(), task.GetProperty("frame_count").GetInt32()));
        var state = await Node.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(state.Shards, s => s.EntityIds.Contains(key));
        Assert.Contains(state.Shards, s => s.EntityIds.Contains(events.KeyA));
        // A running task is still read through its entity.
        Assert.Equal("FINISHED", (await Node.GetJsonAsync("/api/tasks/" + Uri.EscapeDataString(events.KeyA))).GetProperty("state").GetString());
    }
}
