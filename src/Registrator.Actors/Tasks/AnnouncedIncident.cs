namespace Registrator.Actors.Tasks;

/// <summary>An incident start as <see cref="IncidentAnnouncement.Read"/> reads it back from <c>registrator.events.started</c>.</summary>
/// <param name="Start">Capture time of the incident's first detection, Unix seconds.</param>
/// <param name="ImagePath">The keyframe on the writing node's disk; <c>null</c> when it could not be written.</param>
/// <param name="KeyframeUrl">Where that node serves it; <c>null</c> with <paramref name="ImagePath"/>.</param>
public sealed record AnnouncedIncident(Guid EventId, string Key, double? Start, string? ImagePath, string? KeyframeUrl);
