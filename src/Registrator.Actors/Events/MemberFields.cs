using System.Text.Json;
using Registrator.Actors.EventStore.Retention;

namespace Registrator.Actors.Events;

/// <summary>
/// Everything a sorted-set member says, as <see cref="EventMember.Parse(ReadOnlySpan{byte})"/> reads it: the one reading of the member that
/// retention, the indexes and the HTTP event view share. Fields a member lacks (or holds with the wrong JSON type) are <c>null</c>.
/// </summary>
/// <param name="TaskKey">The member's only property name.</param>
/// <param name="RecordedId">Its <c>event_id</c>; the Python module's members have none.</param>
/// <param name="Message">The inference message, verbatim (any JSON value).</param>
/// <param name="Timestamp">Its <c>timestamp</c>, Unix seconds (the sorted set's score is the authority for age).</param>
public sealed record MemberFields(
    string TaskKey,
    Guid? RecordedId,
    JsonElement? Message,
    string? VideoPath,
    string? ImagePath,
    string? Error,
    double? Timestamp,
    string? Node,
    string? NodeId,
    double? Start,
    double? End)
{
    /// <summary>
    /// The event's id: <see cref="RecordedId"/>, or for the Python module's members the <c>&lt;uuid&gt;</c> it names
    /// both files after (<c>$TMP_PATH/&lt;uuid&gt;/&lt;uuid&gt;.mp4</c>).
    /// </summary>
    public Guid? EventId => RecordedId ?? IdOfFile(VideoPath) ?? IdOfFile(ImagePath);

    /// <summary>What retention needs (only a recorded id: a file name is no proof the files are ours to age).</summary>
    public StoredEvent Stored => new(RecordedId, NodeId, Timestamp, VideoPath, ImagePath);

    private static Guid? IdOfFile(string? path) =>
        path is not null && Guid.TryParse(Path.GetFileNameWithoutExtension(path), out var id) ? id : null;
}
