namespace Registrator.Actors.Tasks;

/// <summary>
/// Python's <c>Counter(statuses).most_common(1)</c> for booleans: the more frequent value, on a tie the value
/// that appears first, and no value for an empty list.
/// </summary>
public static class MostCommonStatus
{
    public static bool? Of(IEnumerable<bool> statuses)
    {
        int trues = 0, falses = 0;
        bool? first = null;
        foreach (var status in statuses)
        {
            first ??= status;
            if (status) trues++; else falses++;
        }
        if (first is null) return null;
        return trues == falses ? first : trues > falses;
    }
}
