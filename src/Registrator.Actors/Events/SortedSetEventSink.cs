using Registrator.Actors.Redis;

namespace Registrator.Actors.Events;

/// <summary>
/// The Python module's store: <c>ZADD events &lt;timestamp&gt; &lt;member&gt;</c> with <see cref="EventMember"/>'s JSON.
/// Idempotent because the member bytes are fixed when the event is prepared: a second ZADD of the same member and score
/// changes nothing.
/// </summary>
public sealed class SortedSetEventSink(RedisConnection connection, RedisKeys keys) : IEventSink
{
    public const string SinkName = "sorted-set";

    public string Name => SinkName;

    public PendingEvent Prepare(RegisteredEvent e, EventOrigin origin) =>
        new(e, SinkName, keys.SortedSet, e.Timestamp, EventMember.Build(e, origin));

    public async Task WriteAsync(PendingEvent pending, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await database.SortedSetAddAsync(pending.RedisKey, pending.Payload, pending.Score).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
