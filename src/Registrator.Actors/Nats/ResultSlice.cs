using System.Runtime.InteropServices;
using Registrator.Actors.Tasks;

namespace Registrator.Actors.Nats;

/// <summary>
/// Cuts one slice of the results stream into one <see cref="StatusBatch"/> per task key, each key's statuses in the
/// order they arrived and the keys in the order they first appear, so a task gets its statuses in stream order with one
/// message per slice. Results that did not parse come out as their <see cref="BadInput"/>, after the batches.
/// </summary>
public static class ResultSlice
{
    public static IEnumerable<object> ByKey(IEnumerable<Parsed<KeyedStatus>> slice)
    {
        // Two passes: count each key's statuses, then fill arrays of exactly that size, so no array grows or is copied.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>();
        var counts = new List<int>();
        List<BadInput>? bad = null;
        foreach (var parsed in slice)
        {
            if (parsed.Value is not { } result)
            {
                (bad ??= []).Add(parsed.Error!);
                continue;
            }
            if (!index.TryGetValue(result.Key, out var at))
            {
                index[result.Key] = at = keys.Count;
                keys.Add(result.Key);
                counts.Add(0);
            }
            counts[at]++;
        }
        var statuses = new BatchedStatus[keys.Count][];
        for (var k = 0; k < keys.Count; k++) statuses[k] = new BatchedStatus[counts[k]];
        var filled = new int[keys.Count];
        foreach (var parsed in slice)
        {
            if (parsed.Value is not { } result) continue;
            var at = index[result.Key];
            statuses[at][filled[at]++] = result.Status;
        }
        for (var k = 0; k < keys.Count; k++) yield return new StatusBatch(keys[k], ImmutableCollectionsMarshal.AsImmutableArray(statuses[k]));
        if (bad is null) yield break;
        foreach (var input in bad) yield return input;
    }
}
