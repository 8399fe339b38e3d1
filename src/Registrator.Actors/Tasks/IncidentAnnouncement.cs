using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Actors.Json;

namespace Registrator.Actors.Tasks;

/// <summary>
/// The <see cref="IncidentStarted"/> a task publishes when a <c>span</c> incident opens and its keyframe is on disk:
/// <c>{"event_id", "key", "start", "image_proof_path", "keyframe_url"}</c>. <c>keyframe_url</c> is the node's
/// <c>/media/{event_id}/keyframe.jpg</c> (absolute when the node knows its HTTP base URL, as the event's <c>node</c>
/// is); both are <c>null</c> when the keyframe could not be written. <see cref="Read"/> is its reader.
/// </summary>
public static class IncidentAnnouncement
{
    public static IncidentStarted For(string key, Incident incident, string? nodeUrl)
    {
        var id = incident.EventId.ToString("D");
        var text = WireJson.WriteObject(json =>
        {
            json.WriteString("event_id", id);
            json.WriteString("key", key);
            json.WriteNumber("start", incident.Start);
            json.WriteStringOrNull("image_proof_path", incident.ImagePath);
            json.WriteStringOrNull("keyframe_url", incident.ImagePath is null ? null : $"{nodeUrl?.TrimEnd('/')}/media/{id}/keyframe.jpg");
        });
        return new IncidentStarted(incident.EventId, key, text);
    }

    /// <summary>The announcement's fields; <c>null</c> when <paramref name="json"/> is not one (no object, no event id or key).</summary>
    public static AnnouncedIncident? Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || root.StringOf("event_id") is not { } id || !Guid.TryParse(id, out var eventId)
                || root.StringOf("key") is not { } key)
                return null;
            return new AnnouncedIncident(eventId, key, root.NumberOf("start"), root.StringOf("image_proof_path"), root.StringOf("keyframe_url"));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
