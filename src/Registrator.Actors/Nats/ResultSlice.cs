using System.Collections.Immutable;
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
        var order = new List<string>();
        var byKey = new Dictionary<string, ImmutableArray<BatchedStatus>.Builder>(StringComparer.Ordinal);
        List<BadInput>? bad = null;
        foreach (var parsed in slice)
        {
            if (parsed.Value is not { } result)
            {
                (bad ??= []).Add(parsed.Error!);
                continue;
            }
            if (!byKey.TryGetValue(result.Key, out var statuses))
            {
                byKey[result.Key] = statuses = ImmutableArray.CreateBuilder<BatchedStatus>();
                order.Add(result.Key);
            }
            statuses.Add(result.Status);
        }
        foreach (var key in order) yield return new StatusBatch(key, byKey[key].DrainToImmutable());
        if (bad is null) yield break;
        foreach (var input in bad) yield return input;
    }
}
