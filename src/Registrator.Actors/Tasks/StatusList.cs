using System.Collections.Immutable;

namespace Registrator.Actors.Tasks;

/// <summary>A task's detection statuses, at most <see cref="MaxStatuses"/>, the oldest dropped first. Owned by one task actor.</summary>
public sealed class StatusList(int maxStatuses)
{
    private readonly Queue<bool> _statuses = new();

    public int MaxStatuses { get; } = maxStatuses > 0 ? maxStatuses : throw new ArgumentOutOfRangeException(nameof(maxStatuses));
    public int Count => _statuses.Count;

    /// <summary>Appends a status; true when the oldest had to be dropped to stay under the bound.</summary>
    public bool Add(bool flag)
    {
        var dropped = _statuses.Count >= MaxStatuses && _statuses.TryDequeue(out _);
        _statuses.Enqueue(flag);
        return dropped;
    }

    public void Clear() => _statuses.Clear();

    public bool? MostCommon() => MostCommonStatus.Of(_statuses);

    public ImmutableArray<bool> ToImmutableArray() => [.. _statuses];
}
