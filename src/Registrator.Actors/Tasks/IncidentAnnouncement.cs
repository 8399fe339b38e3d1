using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Registrator.Actors.Events;

namespace Registrator.Actors.Tasks;

/// <summary>
/// The <see cref="IncidentStarted"/> a task publishes when a <c>span</c> incident opens and its keyframe is on disk:
/// <c>{"event_id", "key", "start", "image_proof_path", "keyframe_url"}</c>. <c>keyframe_url</c> is the node's
/// <c>/media/{event_id}/keyframe.jpg</c> (absolute when the node knows its HTTP base URL, as the event's <c>node</c>
/// is); both are <c>null</c> when the keyframe could not be written.
/// </summary>
public static class IncidentAnnouncement
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IncidentStarted For(string key, Incident incident, string? nodeUrl)
    {
        var id = incident.EventId.ToString("D");
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("event_id", id);
            json.WriteString("key", key);
            json.WriteNumber("start", incident.Start);
            if (incident.ImagePath is { } path)
            {
                json.WriteString("image_proof_path", path);
                json.WriteString("keyframe_url", $"{nodeUrl?.TrimEnd('/')}/media/{id}/keyframe.jpg");
            }
            else
            {
                json.WriteNull("image_proof_path");
                json.WriteNull("keyframe_url");
            }
            json.WriteEndObject();
        }
        return new IncidentStarted(incident.EventId, key, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
