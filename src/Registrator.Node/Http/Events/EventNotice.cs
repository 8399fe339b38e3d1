namespace Registrator.Node.Http.Events;

/// <summary>
/// What the event stream tells the page about a registered event: enough to show that it exists; the page reads the
/// full event (message, media links) from <c>/api/events</c>.
/// </summary>
internal sealed record EventNotice(Guid EventId, string Key, double Timestamp, string? Error);
