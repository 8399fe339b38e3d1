using Registrator.Actors.Events;
using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Actors.EventStore.Sinks;

/// <summary>
/// The Python module's store: <c>ZADD events &lt;timestamp&gt; &lt;member&gt;</c> with <see cref="EventMember"/>'s JSON,
/// plus, in the same script, the indexes the HTTP queries read instead of scanning (<see cref="RedisKeys.EventsById"/>,
/// <see cref="RedisKeys.EventsOf"/>). Idempotent because the member bytes are fixed when the event is prepared: a
/// second run of the script writes the same member, score and index entries and changes nothing.
/// </summary>
public sealed class SortedSetEventSink(RedisConnection connection, RedisKeys keys) : IEventSink
{
    public const string SinkName = "sorted-set";

    // KEYS[1] = the sorted set, KEYS[2] = the task's index, KEYS[3] = the id hash; ARGV = score, member, event id.
    // Every key's type is checked before anything is written (SinkScript.TypeCheck).
    private const string AddIndexed = SinkScript.TypeCheck + """
        local e = check(KEYS[1], 'zset') or check(KEYS[2], 'zset') or check(KEYS[3], 'hash')
        if e then return e end
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
        redis.call('HSET', KEYS[3], ARGV[3], ARGV[2])
        return 1
        """;

    public string Name => SinkName;

    public PendingEvent Prepare(RegisteredEvent e, EventOrigin origin) =>
        new(e, SinkName, keys.SortedSet, e.Timestamp, EventMember.Build(e, origin));

    public async Task WriteAsync(PendingEvent pending, CancellationToken cancellationToken)
    {
        // The indexes follow the key the event was prepared for, so an event from before a change of sorted-set-key
        // is indexed beside the set it is written to.
        var indexes = keys with { SortedSet = pending.RedisKey };
        RedisKey[] scriptKeys = [pending.RedisKey, indexes.EventsOf(pending.Event.TaskKey), indexes.EventsById];
        RedisValue[] values = [pending.Score, pending.Payload, pending.EventId.ToString("D")];
        await SinkScript.RunAsync(connection, AddIndexed, scriptKeys, values, cancellationToken).ConfigureAwait(false);
    }
}
