using System.Collections.Immutable;

namespace Registrator.Actors.Nats;

/// <summary>
/// Counts of the messages the <see cref="NatsBridge"/> skipped, by <see cref="BadInputReason"/>. Incremented by the
/// bridge; read from any thread (the node's metrics, tests) through <see cref="Snapshot"/>. One instance per node,
/// created by whoever starts the bridge so that it can expose it.
/// </summary>
public sealed class BadInputCounters
{
    private readonly long[] _counts = new long[BadInputReasons.All.Count];

    public void Increment(BadInputReason reason) => Interlocked.Increment(ref _counts[(int)reason]);

    /// <summary>Counts <paramref name="count"/> messages skipped for <paramref name="reason"/> at once (a batch).</summary>
    public void Increment(BadInputReason reason, long count) => Interlocked.Add(ref _counts[(int)reason], count);

    /// <summary>The count of one reason.</summary>
    public long this[BadInputReason reason] => Interlocked.Read(ref _counts[(int)reason]);

    /// <summary>Every reason with its count (zeros included, so a metric exists before its first increment).</summary>
    public ImmutableDictionary<BadInputReason, long> Snapshot() =>
        BadInputReasons.All.ToImmutableDictionary(reason => reason, reason => this[reason]);

    public long Total => BadInputReasons.All.Sum(reason => this[reason]);
}
