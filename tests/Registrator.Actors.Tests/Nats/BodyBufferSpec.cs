using System.Threading.Channels;
using NATS.Client.Core;
using Registrator.Actors.Nats;
using Xunit;

namespace Registrator.Actors.Tests.Nats;

/// <summary>The bodies a results subscription holds beyond the client's channel: all of them, in order, then its end.</summary>
public sealed class BodyBufferSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static NatsMsg<Payload> Message(int n)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new NatsMsg<Payload>("inference.results", null, bytes.Length, null, new Payload(bytes, bytes.Length), null, default);
    }

    private static async Task<List<int>> TakeAllAsync(BodyBuffer buffer)
    {
        var taken = new List<int>();
        while (await buffer.WaitToReadAsync().AsTask().WaitAsync(Patience))
            while (buffer.TryTake(out var body))
                taken.Add(int.Parse(System.Text.Encoding.UTF8.GetString(body.Span), System.Globalization.CultureInfo.InvariantCulture));
        return taken;
    }

    [Fact]
    public async Task Every_body_comes_out_in_order_across_segments_and_the_buffer_ends_with_the_clients_channel()
    {
        var client = Channel.CreateBounded<NatsMsg<Payload>>(100);
        var buffer = BodyBuffer.Fill(client.Reader, capacity: 4 * BodyBuffer.Segment, CancellationToken.None);
        const int messages = (10 * BodyBuffer.Segment) + 7;

        var reading = TakeAllAsync(buffer);
        for (var i = 0; i < messages; i++) await client.Writer.WriteAsync(Message(i));
        client.Writer.Complete();

        Assert.Equal(Enumerable.Range(0, messages), await reading.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_full_buffer_holds_the_pump_and_the_client_channel_fills_behind_it()
    {
        var client = Channel.CreateBounded<NatsMsg<Payload>>(10);
        var buffer = BodyBuffer.Fill(client.Reader, capacity: BodyBuffer.Segment, CancellationToken.None);

        // The buffer takes about its capacity in bodies (the bound counts bodies), the client's 10 then fill and its writer waits.
        var written = 0;
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < (3 * BodyBuffer.Segment) + 100; i++)
            {
                await client.Writer.WriteAsync(Message(i));
                written = i + 1;
            }
        });
        // Full and not taken from: the pump has stopped at the buffer's bound.
        await AwaitConditionAsync(() => Task.FromResult(client.Reader.Count == 10), Patience);
        Assert.False(writing.IsCompleted);
        Assert.True(written < (3 * BodyBuffer.Segment) + 100);

        var reading = TakeAllAsync(buffer);
        await writing.WaitAsync(Patience);
        client.Writer.Complete();
        Assert.Equal(Enumerable.Range(0, (3 * BodyBuffer.Segment) + 100), await reading.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_client_channel_that_fails_fails_the_reader_after_the_bodies_before_it()
    {
        var client = Channel.CreateBounded<NatsMsg<Payload>>(100);
        var buffer = BodyBuffer.Fill(client.Reader, capacity: BodyBuffer.Segment, CancellationToken.None);
        await client.Writer.WriteAsync(Message(1));
        await client.Writer.WriteAsync(Message(2));

        client.Writer.Complete(new InvalidOperationException("connection broken"));

        var taken = new List<int>();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            while (await buffer.WaitToReadAsync())
                while (buffer.TryTake(out var body)) taken.Add(body.Span[0] - '0');
        });
        Assert.Equal("connection broken", failure.Message);
        Assert.Equal([1, 2], taken);
    }
}
