using Akka.Actor;
using Akka.Event;

namespace Registrator.Actors.EventStore;

/// <summary>
/// A message an event-store actor sends itself (a piped task result, a timer): never crosses the wire, so it skips
/// serialization checks, and one arriving after the actor stopped is not worth a dead-letter log line.
/// </summary>
internal interface ISelfMessage : INoSerializationVerificationNeeded, IDeadLetterSuppression;
