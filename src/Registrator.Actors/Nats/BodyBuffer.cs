using System.Buffers;
using System.Threading.Channels;
using NATS.Client.Core;

namespace Registrator.Actors.Nats;

/// <summary>
/// What a batched subscription holds beyond the NATS client's own channel: bare bodies, moved out of the client's
/// channel as fast as the client reads the socket. A message waiting in the client's channel keeps its subject, a
/// string of its own; thousands of those waiting through a burst survive collection after collection and are copied
/// each time (a burst ran 1.3× faster with the client holding 8,192). A body here lies in a pinned chunk
/// (<see cref="PayloadArena"/>) and costs the GC nothing. Bodies cross in segments of up to <see cref="Segment"/>, from
/// a pool, so that the pump and the reader take the buffer's lock once per segment, not per message: per message, the
/// two contended for it. The bound counts bodies, not segments: while the client's channel runs dry, segments are small.
/// One pump writes, one reader (the subscription's graph, one call at a time) takes.
/// </summary>
internal sealed class BodyBuffer
{
    public const int Segment = 1024;

    private readonly Channel<(Payload[] Bodies, int Count)> _segments =
        Channel.CreateUnbounded<(Payload[], int)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly ArrayPool<Payload> _pool;
    private readonly int _capacity;
    /// <summary>Released by the reader when the bodies held fall below the capacity; the pump waits on it.</summary>
    private readonly SemaphoreSlim _space = new(0);
    private int _held;
    private Payload[]? _current;
    private int _count;
    private int _next;

    private BodyBuffer(int capacity)
    {
        _capacity = Math.Max(capacity, 1);
        _pool = ArrayPool<Payload>.Create(Segment, (_capacity / Segment) + 2);
    }

    /// <summary>
    /// A buffer of about <paramref name="capacity"/> bodies, filled from <paramref name="client"/> until the client's
    /// channel ends (drained, or failed: the buffer then ends the same way once read) or <paramref name="token"/> is
    /// cancelled. When the buffer is full the pump waits, and the client's channel fills behind it as before (its
    /// pending-full-mode applies there). While the client's channel runs dry, a body crosses in a segment of its own.
    /// </summary>
    public static BodyBuffer Fill(ChannelReader<NatsMsg<Payload>> client, int capacity, CancellationToken token)
    {
        var buffer = new BodyBuffer(capacity);
        _ = buffer.PumpAsync(client, token);
        return buffer;
    }

    /// <summary>Bodies waiting, for sizing what the reader takes.</summary>
    public int Waiting => _count - _next + Volatile.Read(ref _held);

    /// <summary>True once a body can be taken; false when the buffer has ended and is empty (it throws if it failed).</summary>
    public async ValueTask<bool> WaitToReadAsync()
    {
        if (_next < _count) return true;
        return await _segments.Reader.WaitToReadAsync().ConfigureAwait(false);
    }

    public bool TryTake(out Payload body)
    {
        if (_next == _count && !NextSegment())
        {
            body = default;
            return false;
        }
        body = _current![_next++];
        return true;
    }

    private bool NextSegment()
    {
        if (_current is not null) _pool.Return(_current, clearArray: true);
        _current = null;
        (_next, _count) = (0, 0);
        if (!_segments.Reader.TryRead(out var segment)) return false;
        (_current, _count) = segment;
        // Only the step from full to not full wakes the pump; it checks again itself.
        if (Interlocked.Add(ref _held, -_count) + _count >= _capacity) _space.Release();
        return true;
    }

    private async Task PumpAsync(ChannelReader<NatsMsg<Payload>> client, CancellationToken token)
    {
        var writer = _segments.Writer;
        try
        {
            while (await client.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var bodies = _pool.Rent(Segment);
                var count = 0;
                while (count < Segment && client.TryRead(out var message)) bodies[count++] = message.Data;
                if (count == 0)
                {
                    _pool.Return(bodies);
                    continue;
                }
                Interlocked.Add(ref _held, count);
                writer.TryWrite((bodies, count));
                while (Volatile.Read(ref _held) >= _capacity) await _space.WaitAsync(token).ConfigureAwait(false);
            }
            writer.TryComplete();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }
}
