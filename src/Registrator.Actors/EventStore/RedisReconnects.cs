using Akka.Actor;
using StackExchange.Redis;

namespace Registrator.Actors.EventStore;

/// <summary>
/// Tells an actor when the Redis client reconnects, so that a delivery backing off retries at once instead of sleeping
/// out a long back-off. The client calls on its own thread: this only sends a message, the actor decides.
/// </summary>
internal sealed class RedisReconnects : IDisposable
{
    private readonly IConnectionMultiplexer _multiplexer;
    private readonly EventHandler<ConnectionFailedEventArgs> _onRestored;

    public RedisReconnects(IConnectionMultiplexer multiplexer, IActorRef actor, object message)
    {
        _multiplexer = multiplexer;
        _onRestored = (_, _) => actor.Tell(message);
        _multiplexer.ConnectionRestored += _onRestored;
    }

    public void Dispose() => _multiplexer.ConnectionRestored -= _onRestored;
}
