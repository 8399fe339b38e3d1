using System.Text;
using System.Text.Json;
using Akka.Actor;
using NATS.Client.Core;
using Registrator.Contracts;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// One node on a real redis-server and nats-server, with one event registered for <see cref="Key"/> (Cyrillic, a
/// slash, quotes, a backslash): frames through the task region, then <c>register</c> on <c>registrator.commands</c>,
/// while a client listens on <c>registrator.events</c>. Keeps what each wire carried, for the specs of
/// <see cref="Collection"/> to compare.
/// </summary>
public sealed class UnicodeKeyEvent : IAsyncLifetime
{
    public const string Collection = "unicode key event";
    public const string Key = "камера/вход-1 \"q\" \\ b";

    /// <summary><see cref="Key"/> as every wire must spell it: raw UTF-8, only the quotes and the backslash escaped.</summary>
    public const string KeyJson = "\"камера/вход-1 \\\"q\\\" \\\\ b\"";

    private static readonly TimeSpan RegisterPatience = TimeSpan.FromSeconds(90);

    private readonly RedisServer _redis = new();
    private NatsServer? _nats;
    private NatsConnection? _client;

    public TestNode Node { get; private set; } = null!;

    public Guid EventId { get; private set; }
    public byte[] RegisterReply { get; private set; } = [];
    public byte[] GetReply { get; private set; } = [];
    public byte[] EventMessage { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _nats = NatsServer.Start();
        Node = await TestNode.StartAsync(_redis, natsUrl: _nats.Url);
        _client = new NatsConnection(new NatsOpts { Url = _nats.Url });
        await _client.ConnectAsync();
        await using var events = await _client.SubscribeCoreAsync<byte[]>("registrator.events");
        // No responder until the bridge has subscribed; a request answered also proves the server has our subscription.
        await Poll.UntilAsync(async () => await CommandAsync("get", TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(40));
        for (var i = 0; i < 30; i++)
            Assert.IsType<TaskReplies.Accepted>(await Node.Region.Ask<object>(Frames.Moving(Key, i), TimeSpan.FromSeconds(10)));
        RegisterReply = await CommandAsync("register", RegisterPatience);
        using (var reply = JsonDocument.Parse(RegisterReply))
            Assert.True(reply.RootElement.GetProperty("ok").GetBoolean(), Encoding.UTF8.GetString(RegisterReply));
        EventId = JsonDocument.Parse(RegisterReply).RootElement.GetProperty("event_id").GetGuid();
        GetReply = await CommandAsync("get", TimeSpan.FromSeconds(10));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        EventMessage = (await events.Msgs.ReadAsync(patience.Token)).Data ?? [];
    }

    /// <summary>The one member of the node's sorted set, as Redis returns it.</summary>
    public async Task<byte[]> MemberAsync()
    {
        await using var redis = await _redis.ConnectAsync();
        return (byte[])Assert.Single(await redis.GetDatabase().SortedSetRangeByRankAsync(Node.EventsKey))!;
    }

    private async Task<byte[]> CommandAsync(string command, TimeSpan timeout)
    {
        var request = $$"""{"command":"{{command}}","key":{{JsonSerializer.Serialize(Key)}}}""";
        var reply = await _client!.RequestAsync<byte[], byte[]>("registrator.commands", Encoding.UTF8.GetBytes(request),
            replyOpts: new NatsSubOpts { Timeout = timeout });
        return reply.Data ?? [];
    }

    public async Task DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        await Node.DisposeAsync();
        _nats?.Dispose();
        await _redis.DisposeAsync();
    }
}

/// <summary>The specs that share <see cref="UnicodeKeyEvent"/>.</summary>
[CollectionDefinition(UnicodeKeyEvent.Collection)]
public sealed class UnicodeKeyEventCollection : ICollectionFixture<UnicodeKeyEvent>;
