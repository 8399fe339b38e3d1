using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Actors.Events;

/// <summary>
/// The documentation's custom registrator: <c>LPUSH custom_events:&lt;task key&gt; &lt;entry&gt;</c> with
/// <see cref="ListEventEntry"/>'s JSON (statistics included). A list has no set semantics, so one Lua script records the
/// event id in the task's id set and pushes only when the id is new: atomic, so a retry never pushes twice.
/// </summary>
public sealed class ListEventSink(RedisConnection connection, RedisKeys keys) : IEventSink
{
    public const string SinkName = "list";

    // KEYS[1] = the task's list, KEYS[2] = its id set; ARGV[1] = event id, ARGV[2] = entry. Returns 1 when pushed.
    private const string PushOnce = """
        if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
          redis.call('LPUSH', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    public string Name => SinkName;

    public PendingEvent Prepare(RegisteredEvent e, EventOrigin origin) =>
        new(e, SinkName, keys.ListOf(e.TaskKey), e.Timestamp, ListEventEntry.Build(e, origin));

    public async Task WriteAsync(PendingEvent pending, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        // The id set's key comes from the task key, not the list key, so a changed list prefix still finds old ids.
        RedisKey[] scriptKeys = [pending.RedisKey, keys.ListIdsOf(pending.Event.TaskKey)];
        RedisValue[] values = [pending.EventId.ToString("D"), pending.Payload];
        await database.ScriptEvaluateAsync(PushOnce, scriptKeys, values).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
