using System.Text.Json;
using Registrator.Actors.Json;
using Registrator.Node.Http.Events;
using Registrator.Node.Http.Tasks;

namespace Registrator.Node.Http;

/// <summary>
/// How the HTTP API writes its bodies: the registrator's one JSON policy (<see cref="WireJson"/>: snake_case names, as
/// the Redis members and the Python module spell them, non-ASCII task keys raw). The bodies are <see cref="EventView"/>,
/// <see cref="TaskListingJson"/>, the task snapshot (<see cref="Registrator.Actors.Tasks.TaskSnapshotJson"/>) and the
/// small records the endpoints answer with.
/// </summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options => WireJson.SerializerOptions;
}
