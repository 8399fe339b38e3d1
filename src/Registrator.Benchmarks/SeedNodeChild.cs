using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Contracts;
using Registrator.Node;

namespace Registrator.Benchmarks;

/// <summary>
/// One registrator node as <c>registrator run</c> builds it (<see cref="NodeHost.Build"/>, the product's HOCON, manual
/// trigger, HTTP off; the environment variable BENCH_HOCON adds HOCON over it, for experiments), in a fresh process for
/// <see cref="SeedBenchmark"/>. It counts the statuses its tasks accept
/// (the <c>registrator.statuses</c> counter, through a <see cref="MeterListener"/>) and answers on stdout:
/// <c>ready</c> once one probe result went through; <c>expect N</c> (N more than counted so far) → <c>reached total t</c> with t in CLOCK_MONOTONIC
/// seconds; <c>verify prefix keys perKey detections</c> → <c>verified ok</c> or what is missing; <c>quit</c>.
/// </summary>
internal static class SeedNodeChild
{
    public const string Verb = "seed-node-child";
    private const int ProbeStatuses = 1;

    public static async Task<int> Run(string[] args)
    {
        var (natsUrl, redisPort, folder) = (args[0], args[1], args[2]);
        var config = RegistratorConfig.Load($$"""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            registrator.trigger.policy = manual
            registrator.http.enabled = off
            registrator.nats.servers = ["{{natsUrl}}"]
            registrator.redis { host = "127.0.0.1", port = {{redisPort}} }
            registrator.media.output-path = "{{folder}}/media"
            registrator.events.outbox-path = "{{folder}}/outbox"
            {{Environment.GetEnvironmentVariable("BENCH_HOCON")}}
            """);
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "registrator.statuses") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();
        using var allocations = Environment.GetEnvironmentVariable("BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;

        using var host = NodeHost.Build(config);
        await host.StartAsync();
        var region = host.Services.GetRequiredService<ActorRegistry>().Get<TaskRegion>();
        await ProbeAsync(natsUrl, () => Interlocked.Read(ref counted));
        Console.WriteLine("ready");

        while (Console.ReadLine() is { } command)
        {
            var words = command.Split(' ');
            switch (words[0])
            {
                case "expect":
                    // Relative to what is counted now: the probe's results, however many went through, are not part of it.
                    var target = Interlocked.Read(ref counted) + long.Parse(words[1], CultureInfo.InvariantCulture);
                    var deadline = Stopwatch.StartNew();
                    while (Interlocked.Read(ref counted) < target && deadline.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(1);
                    var now = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reached {Interlocked.Read(ref counted)} {now:F6}"));
                    // Where a burst's time goes besides the work: collections so far and the time they paused the node.
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"gc so far: gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, server {System.Runtime.GCSettings.IsServerGC}"));
                    if (allocations is not null) Console.Error.WriteLine(allocations.TakeTop(15));
                    break;
                case "verify":
                    Console.WriteLine(await VerifyAsync(region, words[1], int.Parse(words[2], CultureInfo.InvariantCulture),
                        int.Parse(words[3], CultureInfo.InvariantCulture), int.Parse(words[4], CultureInfo.InvariantCulture)));
                    break;
                case "quit":
                    await host.StopAsync();
                    return 0;
            }
        }
        return 1;
    }

    /// <summary>One result on a probe key until its task counts it: the node is subscribed and answers.</summary>
    private static async Task ProbeAsync(string natsUrl, Func<long> counted)
    {
        // A loaded machine can take longer than the client's 2 s to connect: keep trying, as the node's own connections do.
        await using var publisher = new NatsConnection(NatsOpts.Default with { Url = natsUrl, RetryOnInitialConnect = true });
        var probe = Encoding.UTF8.GetBytes("""{"key":"seed-probe","result":{"boxes":[],"scores":[]}}""");
        var clock = Stopwatch.StartNew();
        // Until the bridge has subscribed, a probe goes nowhere (core NATS); the next one, 200 ms later, is tried.
        while (counted() < ProbeStatuses)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the node did not count a probe result within 60 s");
            await publisher.PublishAsync("inference.results", probe);
            for (var wait = 0; wait < 20 && counted() < ProbeStatuses; wait++) await Task.Delay(10);
        }
    }

    private static async Task<string> VerifyAsync(IActorRef region, string prefix, int keys, int perKey, int detections)
    {
        var problems = new List<string>();
        for (var k = 0; k < keys; k++)
        {
            var snapshot = await region.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask(prefix + k), TimeSpan.FromSeconds(30));
            var trues = snapshot.Statuses.Count(s => s);
            if (snapshot.Statuses.Length != perKey || trues != detections)
                problems.Add($"{prefix}{k}: {snapshot.Statuses.Length} statuses ({trues} detections)");
        }
        return problems.Count == 0 ? "verified ok" : $"verified FAILED for {problems.Count} keys, e.g. {string.Join("; ", problems.Take(3))}";
    }
}
