using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Json;

namespace Registrator.Actors.EventStore.Retention;

/// <summary>
/// What retention needs from an event as Redis holds it (a sorted-set member or a list entry), read by
/// <see cref="EventMember.Read"/> (through <see cref="MemberFields"/>) or <see cref="ListEventEntry.Read"/>: whose files, which files, how old.
/// </summary>
/// <param name="EventId">The event id; <c>null</c> when the record has none (not written by us or the Python module).</param>
/// <param name="NodeId">The <see cref="NodeName"/> of the node holding the files; <c>null</c> for records that name none.</param>
/// <param name="Timestamp">Unix seconds; <c>null</c> when missing (a sorted-set member is aged by its score instead).</param>
public sealed record StoredEvent(Guid? EventId, string? NodeId, double? Timestamp, string? VideoPath, string? ImagePath)
{
    /// <summary>A record that is not of either schema: nothing to delete, no holder.</summary>
    public static readonly StoredEvent Unreadable = new(null, null, null, null, null);

    /// <summary>The <c>&lt;uuid&gt;</c> folders its clip and keyframe are in (the names the orphan sweep looks for).</summary>
    public IEnumerable<string> Folders()
    {
        foreach (var path in new[] { VideoPath, ImagePath })
        {
            if (path is not null && Path.GetFileName(Path.GetDirectoryName(path)) is { Length: > 0 } folder) yield return folder;
        }
    }

    /// <summary>Reads the fields from one event object (the task's object of a member, or a list entry).</summary>
    internal static StoredEvent From(JsonElement e) => new(
        e.StringOf("event_id") is { } id && Guid.TryParse(id, out var eventId) ? eventId : null,
        e.StringOf("node_id"),
        e.NumberOf("timestamp"),
        e.StringOf("video_proofs"),
        e.StringOf("image_proof_path"));
}
