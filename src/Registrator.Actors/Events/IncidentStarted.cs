namespace Registrator.Actors.Events;

/// <summary>
/// Published on the node's event stream by a task whose <c>span</c> incident just opened, once its keyframe is on disk:
/// the NATS bridge announces <paramref name="Json"/> on <c>registrator.events.started</c>. The incident's final event
/// (<see cref="EventRecorded"/>) later reuses <paramref name="EventId"/>.
/// </summary>
/// <param name="Json">The announcement, built once by the task: <c>{"event_id", "key", "start", "image_proof_path", "keyframe_url"}</c>.</param>
public sealed record IncidentStarted(Guid EventId, string TaskKey, string Json);
