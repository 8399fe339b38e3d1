using Registrator.Actors.Events;
using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Actors.EventStore.Sinks;

/// <summary>
/// The documentation's custom registrator: <c>LPUSH custom_events:&lt;task key&gt; &lt;entry&gt;</c> with
/// <see cref="ListEventEntry"/>'s JSON (statistics included). A list has no set semantics, so one Lua script pushes only when the
/// task's id set does not hold the event id yet, then records it: atomic, so a retry never pushes twice.
/// </summary>
public sealed class ListEventSink(RedisConnection connection, RedisKeys keys) : IEventSink
{
    public const string SinkName = "list";

    // KEYS[1] = the task's list, KEYS[2] = its id set; ARGV[1] = event id, ARGV[2] = entry. Returns 1 when pushed.
    // Both keys' types are checked first (SinkScript.TypeCheck), and the entry is pushed before its id is recorded,
    // so an id in the set always means its entry is in the list. (With the id first, a list key holding a string took
    // the SADD, failed the LPUSH, and the retry found the id and counted it delivered.)
    private const string PushOnce = SinkScript.TypeCheck + """
        local e = check(KEYS[1], 'list') or check(KEYS[2], 'set')
        if e then return e end
        if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
        redis.call('LPUSH', KEYS[1], ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[1])
        return 1
        """;

    public string Name => SinkName;

    public PendingEvent Prepare(RegisteredEvent e, EventOrigin origin) =>
        new(e, SinkName, keys.ListOf(e.TaskKey), e.Timestamp, ListEventEntry.Build(e, origin));

    public async Task WriteAsync(PendingEvent pending, CancellationToken cancellationToken)
    {
        // The id set's key comes from the task key, not the list key, so a changed list prefix still finds old ids.
        RedisKey[] scriptKeys = [pending.RedisKey, keys.ListIdsOf(pending.Event.TaskKey)];
        RedisValue[] values = [pending.EventId.ToString("D"), pending.Payload];
        await SinkScript.RunAsync(connection, PushOnce, scriptKeys, values, cancellationToken).ConfigureAwait(false);
    }
}
