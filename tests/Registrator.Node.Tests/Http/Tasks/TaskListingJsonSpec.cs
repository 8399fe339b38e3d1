using System.Text.Json;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Node.Http.Tasks;

namespace Registrator.Node.Tests.Http.Tasks;

/// <summary><c>GET /api/tasks</c>'s body, written and read back: each task is its snapshot's JSON plus where it is hosted.</summary>
public sealed class TaskListingJsonSpec
{
    private const string Key = "камера/вход-1 \"q\" \\ b";

    [Fact]
    public void A_listing_reads_back_its_tasks_and_regions_with_the_key_raw()
    {
        var snapshot = new TaskReplies.TaskSnapshot(Key, TaskState.Pending, [true], 25, 320, 240, 1000, 0, 0, 0, 3, false, null);
        var listing = new TaskListing(
            [new HostedTask(snapshot, "akka.tcp://registrator@10.0.0.5:4053", "http://10.0.0.5:8080")],
            [new RegionSummary("akka.tcp://registrator@10.0.0.5:4053", null, true, 4, 1)], Total: 1, Unanswered: 0);

        var bytes = TaskListingJson.ToUtf8(listing, limit: 100, framesPerSecond: 10);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        using var document = JsonDocument.Parse(bytes);
        var json = document.RootElement;

        var task = Assert.Single(json.GetProperty("tasks").EnumerateArray());
        var alone = System.Text.Encoding.UTF8.GetString(TaskSnapshotJson.ToUtf8(snapshot));
        Assert.Contains(alone[1..^1], text);
        Assert.DoesNotContain("\\u", text);
        Assert.Equal((Key, 2.5, "http://10.0.0.5:8080"), (task.GetProperty("key").GetString(), task.GetProperty("buffered_seconds").GetDouble(), task.GetProperty("node").GetString()));
        var region = Assert.Single(json.GetProperty("regions").EnumerateArray());
        Assert.Equal((JsonValueKind.Null, true, 4, 1), (region.GetProperty("node").ValueKind, region.GetProperty("answered").GetBoolean(),
            region.GetProperty("shards").GetInt32(), region.GetProperty("entities").GetInt32()));
        Assert.Equal((1, 0, 100), (json.GetProperty("total").GetInt32(), json.GetProperty("unanswered").GetInt32(), json.GetProperty("limit").GetInt32()));
    }
}
