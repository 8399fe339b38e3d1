using System.Collections;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registrator.Actors.Configuration;
using Registrator.Contracts;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Node.Tests.Support;

/// <summary>
/// A whole node as <c>registrator run</c> starts it (<see cref="NodeHost.Build"/>, the product's HOCON under inline
/// overrides): a single-node cluster, real encoders, the event store on a real redis-server with a fresh sorted-set
/// key, and Kestrel on a free loopback port. Clips go to a temporary folder deleted on dispose. NATS points wherever the
/// test says (by default a port nobody listens on: the bridge starts while NATS is down).
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    public const string YoloMessage = """{"model":"YOLOModel","result":{"boxes":[[100,100,200,200]],"scores":[0.42,0.95],"class_ids":[0,0]},"frame_id":"frame_005"}""";

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan RegisterPatience = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _temp;

    private TestNode(IHost host, TempDirectory temp, string eventsKey, Uri baseAddress)
    {
        Host = host;
        _temp = temp;
        EventsKey = eventsKey;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public IHost Host { get; }

    /// <summary>Where the node's HTTP server listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client of <see cref="BaseAddress"/>.</summary>
    public HttpClient Http { get; }

    /// <summary>registrator.events.sorted-set-key of this node.</summary>
    public string EventsKey { get; }

    /// <summary>registrator.media.output-path (TMP_PATH) of this node.</summary>
    public string OutputPath => _temp.Combine("media");

    /// <summary>A folder outside <see cref="OutputPath"/>, deleted with the node.</summary>
    public string Outside => _temp.Combine("outside");

    /// <summary>The task shard region, from the host's actor registry as any host service would get it.</summary>
    public IActorRef Region => Host.Services.GetRequiredService<ActorRegistry>().Get<TaskRegion>();

    /// <summary>The node's actor system.</summary>
    public ActorSystem ActorSystem => Host.Services.GetRequiredService<ActorSystem>();

    /// <summary>Builds and starts a node, and returns once its task region answers.</summary>
    /// <param name="hocon">Inline HOCON over the test defaults (e.g. <c>registrator.http.token</c>).</param>
    /// <param name="natsUrl">The NATS server; <c>null</c> = a loopback port nobody listens on.</param>
    /// <param name="eventsKey">The sorted set; <c>null</c> = a fresh one. Nodes given the same key share their events.</param>
    /// <param name="awaitTasks">Return only once the task region answers; off for nodes whose cluster forms later (bootstrap).</param>
    public static async Task<TestNode> StartAsync(RedisServer redis, string hocon = "", string? natsUrl = null, string? eventsKey = null, bool awaitTasks = true)
    {
        var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("media"));
        Directory.CreateDirectory(temp.Combine("outside"));
        eventsKey ??= "events-" + Guid.NewGuid().ToString("N")[..12];
        var config = RegistratorConfig.Load($$"""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.seed-nodes = []
            akka.cluster.leader-actions-interval = 100ms
            akka.cluster.gossip-interval = 200ms
            registrator.http { enabled = on, listen = "127.0.0.1:0" }
            registrator.media { output-path = {{Quote(temp.Combine("media"))}}, pool-size = 1 }
            registrator.redis { host = "127.0.0.1", port = {{redis.Port}}, connect-timeout = 2s, command-timeout = 2s }
            registrator.events {
              sorted-set-key = {{Quote(eventsKey)}}
              outbox-path = {{Quote(temp.Combine("outbox"))}}
              retention.interval = 0s
            }
            registrator.nats { servers = [{{Quote(natsUrl ?? $"nats://127.0.0.1:{FreePort()}")}}], reconnect-wait-min = 100ms, reconnect-wait-max = 500ms }
            registrator.trigger.policy = manual
            {{hocon}}
            """, environment: new Hashtable());
        var host = NodeHost.Build(config, logging => logging.SetMinimumLevel(LogLevel.Warning));
        try
        {
            await host.StartAsync();
            var address = NodeHost.HttpAddress(host) ?? throw new InvalidOperationException("the node's HTTP server reports no address");
            var node = new TestNode(host, temp, eventsKey, address);
            if (awaitTasks) await node.WaitForTasksAsync();
            return node;
        }
        catch
        {
            await host.StopAsync();
            host.Dispose();
            temp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Registers an event the way a camera and a client would: <paramref name="frames"/> real 320×240 frames (moving
    /// shapes, 10 fps), then RegisterTask with <paramref name="message"/>; returns once the event is in Redis.
    /// </summary>
    public async Task<TaskEvents.EventRegistered> RegisterAsync(string key, int frames = 40, string message = YoloMessage)
    {
        for (var i = 0; i < frames; i++)
        {
            var answer = await Region.Ask<object>(Frames.Moving(key, i), AskTimeout);
            Assert.IsType<TaskReplies.Accepted>(answer);
        }
        var registered = await Region.Ask<object>(new RegisterTask(key, message), RegisterPatience);
        return Assert.IsType<TaskEvents.EventRegistered>(registered);
    }

    /// <summary>The answer's JSON; fails with the body when the status is not <paramref name="expected"/>.</summary>
    public async Task<JsonElement> GetJsonAsync(string path, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {path}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.StopAsync();
        Host.Dispose();
        _temp.Dispose();
    }

    /// <summary>Sharding answers once the cluster is Up and the coordinator runs: poll with GetTask until then.</summary>
    public async Task WaitForTasksAsync()
    {
        var deadline = DateTime.UtcNow + StartPatience;
        while (true)
        {
            try
            {
                await Region.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask("warm-up"), TimeSpan.FromSeconds(2));
                return;
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
                // The region buffers until the coordinator is there; ask again.
            }
        }
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    /// <summary>A loopback TCP port nobody listens on right now.</summary>
    public static int FreePort() => Registrator.Testing.FreePort.Next();
}
