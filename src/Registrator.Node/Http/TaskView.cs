using System.Collections.Immutable;
using System.Text.Json;
using Registrator.Contracts;

namespace Registrator.Node.Http;

/// <summary>
/// A task's <see cref="TaskReplies.TaskSnapshot"/> as <c>GET /api/tasks/{key}</c> returns it: the state by the Python
/// module's name (<c>CREATED</c>, <c>PENDING</c>, <c>DONE</c>, <c>FINISHED</c>, <c>ERROR</c>; <c>NONE</c> for a key no
/// command has touched), the statuses, the frame buffer and the counters that make its bounds visible.
/// </summary>
internal sealed record TaskView(
    string Key,
    string State,
    ImmutableArray<bool> Statuses,
    int FrameCount,
    int FrameWidth,
    int FrameHeight,
    long BufferedBytes,
    long FramesDropped,
    long StatusesDropped,
    long RejectedCommands,
    int Cycle,
    bool Registering,
    JsonElement? LatestMessage)
{
    public static TaskView From(TaskReplies.TaskSnapshot snapshot) => new(
        snapshot.TaskKey,
        snapshot.State.ToString().ToUpperInvariant(),
        snapshot.Statuses,
        snapshot.FrameCount,
        snapshot.FrameWidth,
        snapshot.FrameHeight,
        snapshot.BufferedBytes,
        snapshot.FramesDropped,
        snapshot.StatusesDropped,
        snapshot.RejectedCommands,
        snapshot.Cycle,
        snapshot.Registering,
        snapshot.LatestMessageJson is { } json ? ParseOrNull(json) : null);

    private static JsonElement? ParseOrNull(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
