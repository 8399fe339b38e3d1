using System.Collections.Immutable;
using System.Threading.Channels;

namespace Registrator.Node.Http.Events;

/// <summary>
/// Fans registered events out to the page's open event streams (<c>GET /api/events/stream</c>). Written by
/// <see cref="EventFeedActor"/>, read by one request per subscriber. Each subscriber has a small bounded queue that drops
/// its oldest notice when full: a stalled browser costs a few notices, never the node's memory, and the page reloads
/// its list on the next notice anyway.
/// </summary>
internal sealed class EventFeed
{
    private const int QueuePerSubscriber = 64;

    private ImmutableList<Channel<EventNotice>> _subscribers = [];

    /// <summary>Hands <paramref name="notice"/> to every subscriber; never waits.</summary>
    public void Publish(EventNotice notice)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers)) subscriber.Writer.TryWrite(notice);
    }

    /// <summary>A new subscriber's queue; dispose the subscription when the stream ends.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<EventNotice>(new BoundedChannelOptions(QueuePerSubscriber)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        ImmutableInterlocked.Update(ref _subscribers, static (list, c) => list.Add(c), channel);
        return new Subscription(this, channel);
    }

    /// <summary>One open stream's queue of notices.</summary>
    public sealed class Subscription(EventFeed feed, Channel<EventNotice> channel) : IDisposable
    {
        public ChannelReader<EventNotice> Reader => channel.Reader;

        public void Dispose()
        {
            ImmutableInterlocked.Update(ref feed._subscribers, static (list, c) => list.Remove(c), channel);
            channel.Writer.TryComplete();
        }
    }
}
