using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using NATS.Client.Core;

namespace Registrator.Benchmarks;

/// <summary>
/// The ceiling for <see cref="SeedBenchmark"/>: a bare NATS.Client.Core subscriber in a fresh process that only counts
/// the results on <c>inference.results</c> (pending channel waits when full, so nothing is dropped). Prints
/// <c>ready</c> once subscribed and <c>reached N t</c> (CLOCK_MONOTONIC seconds) when it has N.
/// </summary>
internal static class SeedRawChild
{
    public const string Verb = "seed-raw-child";

    public static async Task<int> Run(string[] args)
    {
        var (url, messages) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture));
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = url, SubPendingChannelFullMode = BoundedChannelFullMode.Wait });
        await using var subscription = await connection.SubscribeCoreAsync<byte[]>("inference.results");
        await connection.PingAsync();
        Console.WriteLine("ready");
        var count = 0;
        await foreach (var _ in subscription.Msgs.ReadAllAsync())
            if (++count == messages) break;
        var now = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reached {count} {now:F6}"));
        return 0;
    }
}
