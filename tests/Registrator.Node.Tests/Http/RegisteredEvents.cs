using Registrator.Contracts;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// One node with three events registered through its task region with real frames, oldest first: A1 (key A), B1 (key
/// B: Unicode with a slash), A2 (key A). Shared by the specs of the <see cref="Collection"/> collection, which only
/// read: the sorted set holds exactly these three events.
/// </summary>
public sealed class RegisteredEvents : IAsyncLifetime
{
    public const string Collection = "registered events";

    private readonly RedisServer _redis = new();

    public TestNode Node { get; private set; } = null!;
    public string KeyA { get; } = "camera-a-" + Guid.NewGuid().ToString("N")[..6];
    public string KeyB { get; } = "камера 7/вход-" + Guid.NewGuid().ToString("N")[..6];
    public TaskEvents.EventRegistered A1 { get; private set; } = null!;
    public TaskEvents.EventRegistered B1 { get; private set; } = null!;
    public TaskEvents.EventRegistered A2 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        Node = await TestNode.StartAsync(_redis);
        A1 = await Node.RegisterAsync(KeyA);
        B1 = await Node.RegisterAsync(KeyB);
        A2 = await Node.RegisterAsync(KeyA);
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

/// <summary>The specs that share <see cref="RegisteredEvents"/>.</summary>
[CollectionDefinition(RegisteredEvents.Collection)]
public sealed class RegisteredEventsCollection : ICollectionFixture<RegisteredEvents>;
