namespace Registrator.Node.Http.Events;

/// <summary>One page of events, newest first; <paramref name="HasMore"/> when another page follows.</summary>
internal sealed record EventPage(IReadOnlyList<EventView> Events, bool HasMore);
