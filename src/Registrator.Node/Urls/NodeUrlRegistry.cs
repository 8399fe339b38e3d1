using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Node.Urls;

/// <summary>
/// Which base URL each node (by its stable <c>node_id</c>) serves HTTP on now, in the Redis hash
/// <see cref="RedisKeys.NodeUrls"/>: this node writes its own entry and reads everyone's every
/// <see cref="Interval"/>. A member names the URL its node had when it wrote the event; after a restart on another
/// address (a new pod IP) the files are still there, under the same <c>node_id</c>, and this is how a proxy finds them.
/// Lookups are local (the last read), so a page of events costs no extra round trip.
/// </summary>
internal sealed class NodeUrlRegistry(RedisConnection redis, string? nodeId, Func<string?> publicUrl) : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private volatile IReadOnlyDictionary<string, string> _urls = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The URL <paramref name="id"/> last published; <c>null</c> when it never did (or not yet read).</summary>
    public string? UrlOf(string? id) => id is not null && _urls.TryGetValue(id, out var url) ? url : null;

    /// <summary>Publishes and reads until disposed; a Redis that is away only delays the next round.</summary>
    public void Start() => _ = RunAsync(_stop.Token);

    /// <summary>One round: this node's entry, then everyone's.</summary>
    public async Task RefreshAsync(CancellationToken cancellation)
    {
        var database = await redis.GetDatabaseAsync().WaitAsync(cancellation).ConfigureAwait(false);
        if (nodeId is not null && publicUrl() is { } own)
            await database.HashSetAsync(RedisKeys.NodeUrls, nodeId, own).WaitAsync(cancellation).ConfigureAwait(false);
        var entries = await database.HashGetAllAsync(RedisKeys.NodeUrls).WaitAsync(cancellation).ConfigureAwait(false);
        _urls = entries.Where(e => NodeUrl.IsUsable(e.Value!)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
    }

    private async Task RunAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
            {
                // The next round tries again; until then the last read stands.
            }
            try
            {
                await Task.Delay(Interval, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
