using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Registrator.Benchmarks;

/// <summary>
/// The runtime's allocation samples (one event per ~100 kB allocated, naming the type that crossed it), summed by type:
/// which types a burst allocates, without a profiler attached. Turned on in a node child by BENCH_ALLOCATIONS=1.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not "GCAllocationTick_V4" || e.Payload is null) return;
        var type = e.Payload[e.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        _bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    /// <summary>The types with the most sampled bytes since the last call, then forgets them.</summary>
    public string TakeTop(int count)
    {
        var top = _bytesByType.ToArray().OrderByDescending(p => p.Value).Take(count).ToArray();
        _bytesByType.Clear();
        return string.Join("\n", top.Select(p => $"  alloc {p.Value / 1024,9:N0} kB  {p.Key}"));
    }
}
