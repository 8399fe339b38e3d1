using System.Buffers;
using Registrator.Actors.Nats;
using Xunit;

namespace Registrator.Actors.Tests.Nats;

/// <summary>Small result bodies share pinned chunks; a chunk is reused only once every body in it was released.</summary>
public sealed class PayloadArenaSpec
{
    private static ReadOnlySequence<byte> Body(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    private static string Text(Payload payload) => System.Text.Encoding.UTF8.GetString(payload.Span);

    [Fact]
    public void Small_bodies_are_copied_back_to_back_into_one_chunk_and_read_back_as_they_were()
    {
        var arena = new PayloadArena();

        var first = arena.Copy(Body("""{"key":"a"}"""));
        var second = arena.Copy(Body("""{"key":"камера"}"""));

        Assert.Same(first.Bytes, second.Bytes);
        Assert.Equal(first.Offset + first.Length, second.Offset);
        Assert.Equal("""{"key":"a"}""", Text(first));
        Assert.Equal("""{"key":"камера"}""", Text(second));
    }

    [Fact]
    public void A_large_body_gets_an_array_of_its_own()
    {
        var arena = new PayloadArena();
        var large = new string('x', PayloadArena.LargestShared + 1);

        var payload = arena.Copy(Body(large));

        Assert.Equal(large.Length, payload.Bytes!.Length);
        Assert.Equal(0, payload.Offset);
        Assert.Equal(large, Text(payload));
        PayloadArena.Release(payload); // nothing to release: no chunk, no failure
    }

    [Fact]
    public void A_full_chunk_is_reused_only_after_every_body_in_it_was_released()
    {
        var arena = new PayloadArena();
        var body = new string('r', 1000);
        var inFirstChunk = new List<Payload> { arena.Copy(Body(body)) };
        var firstChunk = inFirstChunk[0].Bytes;
        Payload next;
        while (true)
        {
            next = arena.Copy(Body(body));
            if (!ReferenceEquals(next.Bytes, firstChunk)) break;
            inFirstChunk.Add(next);
        }
        // All but one released: the first chunk still holds a body, so the third chunk is new.
        foreach (var payload in inFirstChunk.Skip(1)) PayloadArena.Release(payload);
        var third = FillUntilNewChunk(arena, body, next.Bytes!);
        Assert.NotSame(firstChunk, third.Bytes);
        Assert.Equal(body, Text(inFirstChunk[0]));

        // The last one released: the first chunk goes back to the pool and is taken for the next new chunk.
        PayloadArena.Release(inFirstChunk[0]);
        var fourth = FillUntilNewChunk(arena, body, third.Bytes!);
        Assert.Same(firstChunk, fourth.Bytes);
        Assert.Equal(body, Text(fourth));
    }

    private static Payload FillUntilNewChunk(PayloadArena arena, string body, byte[] current)
    {
        while (true)
        {
            var payload = arena.Copy(Body(body));
            if (!ReferenceEquals(payload.Bytes, current)) return payload;
        }
    }
}
