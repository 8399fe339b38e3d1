using Registrator.Actors.Json;
using Registrator.Actors.Tasks;

namespace Registrator.Node.Http.Tasks;

/// <summary>
/// <c>GET /api/tasks</c> as JSON: each task is its snapshot exactly as <c>/api/tasks/{key}</c> writes it
/// (<see cref="TaskSnapshotJson"/>) plus <c>buffered_seconds</c>, <c>node</c> (the hosting node's HTTP base URL, as
/// events name their node; <c>null</c> until that node published it) and <c>node_address</c> (its cluster address).
/// </summary>
internal static class TaskListingJson
{
    /// <param name="framesPerSecond"><c>registrator.media.fps</c>: kept frames are at most this far apart in capture time.</param>
    public static byte[] ToUtf8(TaskListing listing, int limit, int framesPerSecond) =>
        WireJson.WriteUtf8(1024, (listing, limit, framesPerSecond), static (json, state) =>
        {
            var (listing, limit, framesPerSecond) = state;
            json.WriteStartObject();
            json.WriteStartArray("tasks");
            foreach (var task in listing.Tasks)
            {
                json.WriteStartObject();
                TaskSnapshotJson.WriteFields(json, task.Snapshot);
                // Frames are kept on the fps grid, so this is the span of capture time the buffer covers.
                json.WriteNumber("buffered_seconds", Math.Round(task.Snapshot.FrameCount / (double)Math.Max(1, framesPerSecond), 3));
                json.WriteString("node", task.NodeUrl);
                json.WriteString("node_address", task.NodeAddress);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("regions");
            foreach (var region in listing.Regions)
            {
                json.WriteStartObject();
                json.WriteString("address", region.Address);
                json.WriteString("node", region.Url);
                json.WriteBoolean("answered", region.Answered);
                json.WriteNumber("shards", region.Shards);
                json.WriteNumber("entities", region.Entities);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("total", listing.Total);
            json.WriteNumber("unanswered", listing.Unanswered);
            json.WriteNumber("limit", limit);
            json.WriteEndObject();
        });
}
