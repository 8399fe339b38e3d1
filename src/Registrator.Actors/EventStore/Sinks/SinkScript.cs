using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Actors.EventStore.Sinks;

/// <summary>
/// What every sink's Lua script shares. Redis does not roll a script back, so each one checks every key's type before
/// it writes anything: a WRONGTYPE after the first write would leave the event half recorded.
/// </summary>
internal static class SinkScript
{
    /// <summary>Lua: <c>check(key, expected)</c> returns a WRONGTYPE error reply when the key exists with another type.</summary>
    public const string TypeCheck = """
        local function check(key, expected)
          local t = redis.call('TYPE', key).ok
          if t ~= 'none' and t ~= expected then
            return redis.error_reply('WRONGTYPE ' .. key .. ' holds a ' .. t .. ', not a ' .. expected)
          end
        end

        """;

    /// <summary>Runs <paramref name="script"/> once; faults with Redis's error (the store decides whether to retry).</summary>
    public static async Task RunAsync(RedisConnection connection, string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await database.ScriptEvaluateAsync(script, keys, values).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
