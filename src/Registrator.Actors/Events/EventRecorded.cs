namespace Registrator.Actors.Events;

/// <summary>
/// Published on the node's event stream by the event store once an event is in the store of record, with the exact
/// JSON member it wrote. Outbound publishers (NATS <c>registrator.events</c>) subscribe to it, so they announce only
/// events whose files and record are in place, in the same bytes readers find in Redis.
/// </summary>
/// <param name="MemberJson">The Redis member: <c>{"&lt;key&gt;": {"message": …, "video_proofs": …, "image_proof_path": …, "event_id": …, "timestamp": …}}</c>.</param>
public sealed record EventRecorded(RegisteredEvent Event, string MemberJson);
