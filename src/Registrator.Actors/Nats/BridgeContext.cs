using Akka.Actor;
using Registrator.Actors.Configuration;

namespace Registrator.Actors.Nats;

/// <summary>
/// What every actor of the <see cref="NatsBridge"/> is given by it: the settings, the task region the inbound subjects
/// deliver to, and the node's shared counters and connection state. Created once per bridge, so every subject counts
/// into the same place.
/// </summary>
internal sealed record BridgeContext(NatsSettings Settings, IActorRef Tasks, BadInputCounters Counters, NatsConnectivity Connectivity);
