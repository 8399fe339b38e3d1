using System.Collections;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Redis;
using Registrator.Demo;
using Registrator.Node;

namespace Registrator.Benchmarks;

/// <summary>
/// The HTTP queries on a large store: M members (default 1,000,000, over K task keys) are written through the event
/// store's own sink (ZADD with its indexes, as a node records them) into a real redis-server, then a node with HTTP
/// answers <c>GET /api/events?key=&lt;key&gt;&amp;limit=50</c> and <c>GET /api/events/{id}</c> for random keys and
/// ids. Reports p50/p95/max per route against the goal p50 ≤ 10 ms.
/// </summary>
internal static class QueryBenchmark
{
    private const double GoalMs = 10;

    public static async Task<int> Run(string[] args)
    {
        var members = BenchArgs.Int(args, "--members", 1_000_000);
        var keys = BenchArgs.Int(args, "--keys", 1000);
        var requests = BenchArgs.Int(args, "--requests", 500);
        var work = Directory.CreateTempSubdirectory("registrator-bench-queries-").FullName;
        try
        {
            await using var redis = await LocalServer.StartAsync("redis-server",
                port => ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work], CancellationToken.None);
            const string sortedSet = "events";
            var fill = Stopwatch.StartNew();
            var ids = await FillAsync(redis.Port, sortedSet, members, keys);
            fill.Stop();

            var config = RegistratorConfig.Load($$"""
                akka.loglevel = WARNING
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
                akka.cluster.seed-nodes = []
                registrator.http { enabled = on, listen = "127.0.0.1:0" }
                registrator.media { output-path = {{Quote(Path.Combine(work, "media"))}}, pool-size = 1 }
                registrator.redis { host = "127.0.0.1", port = {{redis.Port}} }
                registrator.events { sorted-set-key = "{{sortedSet}}", outbox-path = {{Quote(Path.Combine(work, "outbox"))}}, retention.interval = 0s }
                registrator.nats.servers = ["nats://127.0.0.1:1"]
                registrator.trigger.policy = manual
                """, environment: new Hashtable());
            using var host = NodeHost.Build(config, logging => logging.SetMinimumLevel(LogLevel.Warning));
            await host.StartAsync();
            try
            {
                var address = NodeHost.HttpAddress(host) ?? throw new InvalidOperationException("the node reports no HTTP address");
                using var http = new HttpClient { BaseAddress = address };
                var random = new Random(42);
                // Warm-up: connections, JIT, the index marker cached.
                for (var i = 0; i < 20; i++)
                {
                    await GetAsync(http, $"/api/events?key=camera-{random.Next(keys)}&limit=50", expectEvents: true);
                    await GetAsync(http, $"/api/events/{ids[random.Next(ids.Length)]}", expectEvents: false);
                }
                var byKey = new List<double>(requests);
                var byId = new List<double>(requests);
                for (var i = 0; i < requests; i++)
                {
                    byKey.Add(await GetAsync(http, $"/api/events?key=camera-{random.Next(keys)}&limit=50", expectEvents: true));
                    byId.Add(await GetAsync(http, $"/api/events/{ids[random.Next(ids.Length)]}", expectEvents: false));
                }

                Console.WriteLine(BenchStats.Invariant($"## HTTP queries on {members:N0} members over {keys:N0} task keys (filled through the sink in {fill.Elapsed.TotalSeconds:F0} s; {BenchStats.LoadAverage()})"));
                Console.WriteLine();
                Console.WriteLine("| route | requests | p50 ms | p95 ms | max ms | goal p50 ≤ 10 ms |");
                Console.WriteLine("|---|---:|---:|---:|---:|---|");
                var met = Row("GET /api/events?key=…&limit=50", byKey) & Row("GET /api/events/{id}", byId);
                return met ? 0 : 1;
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { /* a file still open; the OS cleans /tmp */ }
        }
    }

    /// <summary>Writes the members through <see cref="SortedSetEventSink"/> (many writes in flight); returns every event id.</summary>
    private static async Task<Guid[]> FillAsync(int port, string sortedSet, int members, int keys)
    {
        var shipped = RegistratorSettings.Defaults;
        using var connection = new RedisConnection(shipped.Redis with { Host = "127.0.0.1", Port = port, CommandTimeout = TimeSpan.FromMinutes(1) });
        var redisKeys = shipped.Events.Keys with { SortedSet = sortedSet };
        var sink = new SortedSetEventSink(connection, redisKeys);
        var origin = new EventOrigin("http://127.0.0.1:8080", "bench-node");
        var ids = new Guid[members];
        var start = DateTimeOffset.UtcNow.AddDays(-7).ToUnixTimeMilliseconds() / 1000.0;
        var step = TimeSpan.FromDays(7).TotalSeconds / members;
        const int inFlight = 2000;
        var pending = new List<Task>(inFlight);
        for (var i = 0; i < members; i++)
        {
            var id = Guid.NewGuid();
            ids[i] = id;
            var folder = $"/tmp/{id:D}";
            var e = new RegisteredEvent(id, $"camera-{i % keys}", """{"model":"YOLOModel","result":{"boxes":[[100,100,200,200]],"scores":[0.95],"class_ids":[0]},"frame_id":"frame_001"}""",
                $"{folder}/{id:D}.mp4", $"{folder}/{id:D}.jpg", null, start + i * step, new TaskStatistics(30, 30, true, 1));
            pending.Add(sink.WriteAsync(sink.Prepare(e, origin), CancellationToken.None));
            if (pending.Count == inFlight)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
        // Every member was written with its index entries: nothing for a backfill to do.
        var database = await connection.GetDatabaseAsync();
        await database.StringSetAsync(redisKeys.IndexedMarker, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var count = await database.SortedSetLengthAsync(sortedSet);
        if (count != members) throw new InvalidOperationException($"expected {members} members, Redis has {count}");
        return ids;
    }

    private static async Task<double> GetAsync(HttpClient http, string path, bool expectEvents)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        clock.Stop();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        if (expectEvents && document.RootElement.GetProperty("events").GetArrayLength() == 0) throw new InvalidOperationException($"GET {path}: no events");
        if (!expectEvents && document.RootElement.GetProperty("event_id").ValueKind != JsonValueKind.String) throw new InvalidOperationException($"GET {path}: no event");
        return clock.Elapsed.TotalMilliseconds;
    }

    private static bool Row(string route, List<double> samples)
    {
        var p50 = BenchStats.Median(samples);
        Console.WriteLine(BenchStats.Invariant(
            $"| {route} | {samples.Count} | {p50:F2} | {BenchStats.Percentile(samples, 0.95):F2} | {samples.Max():F2} | {BenchStats.Met(p50 <= GoalMs)} |"));
        return p50 <= GoalMs;
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
