using Registrator.Actors.Configuration;
using StackExchange.Redis;

namespace Registrator.Actors.Redis;

/// <summary>
/// The node's one shared <see cref="ConnectionMultiplexer"/>, created on first use and never blocking a caller: every
/// user (the event store, its retention, an HTTP page) awaits <see cref="GetAsync"/>. Created by the node (or by an
/// <see cref="EventStore.EventStoreActor"/> that is given only settings) and disposed by whoever created it.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly object _gate = new();
    private Task<IConnectionMultiplexer>? _connecting;
    private bool _disposed;

    public RedisConnection(RedisSettings settings) => Settings = settings;

    public RedisSettings Settings { get; }

    /// <summary>
    /// The multiplexer; the first call starts connecting. While Redis is down this still completes (after at most the
    /// connect timeout) with a multiplexer that reconnects in the background, so commands fail or time out instead.
    /// </summary>
    public Task<IConnectionMultiplexer> GetAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // A failed attempt (a bad host name, say) is not cached: the next caller tries again.
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
                _connecting = ConnectAsync(Settings.ToOptions());
            return _connecting;
        }
    }

    /// <summary>The configured database (<c>registrator.redis.database</c>).</summary>
    public async Task<IDatabase> GetDatabaseAsync() => (await GetAsync().ConfigureAwait(false)).GetDatabase(Settings.Database);

    public void Dispose()
    {
        Task<IConnectionMultiplexer>? connecting;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            connecting = _connecting;
        }
        if (connecting is null) return;
        // Not waiting for queued commands: their callers are going away too, and a backlog against a dead server would
        // hold the caller (an actor's PostStop) until every command timed out.
        _ = connecting.ContinueWith(
            static t => { if (t.IsCompletedSuccessfully) t.Result.Close(allowCommandsToComplete: false); },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions options) =>
        await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
}
