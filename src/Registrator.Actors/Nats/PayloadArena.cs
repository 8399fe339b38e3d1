using System.Buffers;
using System.Collections.Concurrent;

namespace Registrator.Actors.Nats;

/// <summary>
/// Where the results subscription copies its small message bodies: back to back into shared chunks, not an array each.
/// During a burst the client holds up to <c>results-pending-capacity</c> results that the tasks have not taken yet; as
/// arrays of their own, each survived a few collections and was copied into the older generations, and the node spent
/// about 40 % of a burst paused for the GC (<c>seed</c> benchmark, its "gc so far" line). A chunk is pinned (it never
/// moves and holds no references, so no collection copies or scans it) and goes back to a small pool once every body
/// in it has been released (<see cref="Release"/>: a bad body once parsed, a status once its task has answered); a body never released only
/// keeps its chunk from the pool, the GC still frees it. Written by one thread, the connection's socket reader.
/// </summary>
internal sealed class PayloadArena
{
    /// <summary>Bodies larger than this get an array of their own.</summary>
    public const int LargestShared = 16 * 1024;

    private const int ChunkBytes = 1024 * 1024;
    // What a burst leaves pinned once it is over: 8 MiB. Chunks beyond it go back to the GC.
    private const int PooledChunks = 8;

    private readonly ConcurrentQueue<PayloadChunk> _pool = new();
    private PayloadChunk? _current;
    private int _used;

    /// <summary>A copy of <paramref name="body"/>: in the current chunk when it fits, in an array of its own when it is large.</summary>
    public Payload Copy(in ReadOnlySequence<byte> body)
    {
        var length = (int)body.Length;
        if (length > LargestShared) return new Payload(body.ToArray(), length);
        if (_current is null || ChunkBytes - _used < length) StartChunk();
        var chunk = _current!;
        body.CopyTo(chunk.Bytes.AsSpan(_used, length));
        chunk.Hold();
        var payload = new Payload(chunk.Bytes, length) { Offset = _used, Chunk = chunk };
        _used += length;
        return payload;
    }

    /// <summary>The body of <paramref name="payload"/> is no longer read: its share of its chunk is free.</summary>
    public static void Release(in Payload payload) => payload.Chunk?.Release();

    private void StartChunk()
    {
        _current?.Seal();
        _current = _pool.TryDequeue(out var reused) ? reused : new PayloadChunk(this, GC.AllocateUninitializedArray<byte>(ChunkBytes, pinned: true));
        _current.Open();
        _used = 0;
    }

    internal void Return(PayloadChunk chunk)
    {
        if (_pool.Count < PooledChunks) _pool.Enqueue(chunk);
    }
}

/// <summary>
/// One chunk of a <see cref="PayloadArena"/>: the bodies written into it that are not released yet, plus one for the
/// arena while it still writes into the chunk. The count reaching zero returns it to the pool, exactly once.
/// </summary>
internal sealed class PayloadChunk(PayloadArena arena, byte[] bytes)
{
    private int _holds;

    public byte[] Bytes { get; } = bytes;

    public void Open() => Volatile.Write(ref _holds, 1);

    public void Hold() => Interlocked.Increment(ref _holds);

    public void Seal() => Release();

    public void Release()
    {
        if (Interlocked.Decrement(ref _holds) == 0) arena.Return(this);
    }
}
