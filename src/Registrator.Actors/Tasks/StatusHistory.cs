using System.Collections;
using System.Runtime.CompilerServices;

namespace Registrator.Actors.Tasks;

/// <summary>
/// A task's detection statuses, oldest first, as an immutable value that is cheap to append to: the newest version
/// shares one append-only array with the versions before it and appends in place, so adding a status allocates only
/// this small object (an immutable list would allocate a path of tree nodes per status, about 1 kB at 10,000
/// statuses). Every version keeps reading what it held: cells are written once, only past the newest version's end,
/// and appending to an older version copies. Dropping the oldest moves the start; the array is compacted once the
/// dropped prefix outgrows the live part.
/// </summary>
[CollectionBuilder(typeof(StatusHistory), nameof(Create))]
public sealed class StatusHistory : IReadOnlyCollection<bool>
{
    /// <summary>No statuses. Shared by every task, so it never appends in place (its cells count as written by no one).</summary>
    public static readonly StatusHistory Empty = new(new Cells(0) { Written = -1 }, 0, 0);

    /// <summary>The shared array and how far it is written; only the version ending there appends in place.</summary>
    private sealed class Cells(int capacity)
    {
        public bool[] Items = new bool[Math.Max(capacity, 16)];
        public int Written;
    }

    private readonly Cells _cells;
    private readonly int _start;

    private StatusHistory(Cells cells, int start, int count)
    {
        _cells = cells;
        _start = start;
        Count = count;
    }

    public int Count { get; }
    public bool IsEmpty => Count == 0;

    /// <summary>A history holding <paramref name="statuses"/>, oldest first (also what <c>[true, false]</c> builds).</summary>
    public static StatusHistory Create(ReadOnlySpan<bool> statuses)
    {
        if (statuses.IsEmpty) return Empty;
        var cells = new Cells(statuses.Length * 2);
        statuses.CopyTo(cells.Items);
        cells.Written = statuses.Length;
        return new StatusHistory(cells, 0, statuses.Length);
    }

    /// <summary>This history with <paramref name="status"/> appended; when it would exceed <paramref name="max"/>, the oldest is dropped.</summary>
    public (StatusHistory History, bool DroppedOldest) Add(bool status, int max)
    {
        var drop = Count >= max;
        var (start, count) = drop ? (_start + 1, Count) : (_start, Count + 1);
        var end = _start + Count;
        var cells = _cells;
        if (cells.Written != end || end == cells.Items.Length && start > 0 && start >= count)
        {
            // Not the newest version, or a dead prefix as long as the live part: copy the live part to a new array.
            cells = new Cells(count * 2);
            Array.Copy(_cells.Items, start, cells.Items, 0, end - start);
            cells.Written = end - start;
            (start, end) = (0, end - start);
        }
        else if (end == cells.Items.Length)
        {
            Array.Resize(ref cells.Items, cells.Items.Length * 2);
        }
        cells.Items[end] = status;
        cells.Written = end + 1;
        return (new StatusHistory(cells, start, count), drop);
    }

    /// <summary>The statuses, oldest first, without copying (valid for as long as this version is).</summary>
    public ReadOnlySpan<bool> AsSpan() => _cells.Items.AsSpan(_start, Count);

    public IEnumerator<bool> GetEnumerator()
    {
        var (items, end) = (_cells.Items, _start + Count);
        for (var i = _start; i < end; i++) yield return items[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
