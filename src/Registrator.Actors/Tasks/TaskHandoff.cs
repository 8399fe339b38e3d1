using Akka.Actor;
using Registrator.Actors.Redis;

namespace Registrator.Actors.Tasks;

/// <summary>
/// Carries a task's whole state value (<see cref="TaskData"/>, in <see cref="TaskDataSerializer"/>'s binary form) from one
/// incarnation to the next through Redis, which every node reaches: a task that stops because its shard moves (rebalance,
/// graceful leave, rolling restart) or because it was idle writes its value under <see cref="RedisKeys.TaskStateOf"/>;
/// the key's next incarnation, on whichever node, takes it (GETDEL: exactly one incarnation gets it) before it handles
/// any message. Values expire after <see cref="TimeToLive"/> (<c>registrator.task.state-ttl</c>).
/// </summary>
public sealed class TaskHandoff(RedisConnection redis, TimeSpan timeToLive)
{
    public TimeSpan TimeToLive { get; } = timeToLive > TimeSpan.Zero ? timeToLive : throw new ArgumentOutOfRangeException(nameof(timeToLive));

    public async Task SaveAsync(string taskKey, byte[] state)
    {
        var database = await redis.GetDatabaseAsync().ConfigureAwait(false);
        await database.StringSetAsync(RedisKeys.TaskStateOf(taskKey), state, TimeToLive).ConfigureAwait(false);
    }

    /// <summary>The value a previous incarnation left, removed as it is read; null when there is none.</summary>
    public async Task<byte[]?> TakeAsync(string taskKey)
    {
        var database = await redis.GetDatabaseAsync().ConfigureAwait(false);
        var value = await database.StringGetDeleteAsync(RedisKeys.TaskStateOf(taskKey)).ConfigureAwait(false);
        return value.IsNull ? null : (byte[]?)value;
    }
}

/// <summary>The previous incarnation's value arrived (or there was none).</summary>
internal sealed record TaskStateRestored(byte[]? State) : INoSerializationVerificationNeeded;

/// <summary>Taking the previous incarnation's value failed; the task starts fresh (counted, logged).</summary>
internal sealed record TaskStateRestoreFailed(Exception Cause) : INoSerializationVerificationNeeded;

/// <summary>The value is saved (or saving failed): the entity stops now.</summary>
internal sealed record TaskStateSaved(Exception? Failure) : INoSerializationVerificationNeeded;
