using Registrator.Actors.Tasks;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>The task's statuses as a value: every version keeps what it held, whatever is appended to it or to others.</summary>
public sealed class StatusHistorySpec
{
    private static StatusHistory Append(StatusHistory history, IEnumerable<bool> statuses, int max = int.MaxValue)
    {
        foreach (var status in statuses) history = history.Add(status, max).History;
        return history;
    }

    [Fact]
    public void Statuses_come_back_oldest_first()
    {
        var history = Append(StatusHistory.Empty, [true, false, false, true]);

        Assert.Equal([true, false, false, true], history);
        Assert.Equal(4, history.Count);
        Assert.Empty(StatusHistory.Empty);
    }

    [Fact]
    public void An_older_version_is_unchanged_by_appends_to_the_newest()
    {
        var older = Append(StatusHistory.Empty, [true, true]);
        var newer = Append(older, Enumerable.Repeat(false, 100));

        Assert.Equal([true, true], older);
        Assert.Equal(102, newer.Count);
    }

    [Fact]
    public void Appending_to_an_older_version_branches_without_touching_the_newer()
    {
        var root = Append(StatusHistory.Empty, [true]);
        var left = Append(root, [false, false]);
        var right = Append(root, [true, true]);

        Assert.Equal([true, false, false], left);
        Assert.Equal([true, true, true], right);
        Assert.Equal([true], root);
    }

    [Fact]
    public void Two_tasks_starting_from_empty_never_share_their_statuses()
    {
        var first = StatusHistory.Empty.Add(true, 10).History;
        var second = StatusHistory.Empty.Add(false, 10).History;

        Assert.Equal([true], first);
        Assert.Equal([false], second);
    }

    [Fact]
    public void At_the_bound_the_oldest_is_dropped_and_reported()
    {
        var history = Append(StatusHistory.Empty, [true, false, true], max: 3);

        var (next, dropped) = history.Add(false, 3);

        Assert.True(dropped);
        Assert.Equal([false, true, false], next);
        Assert.False(history.Add(false, 4).DroppedOldest);
    }

    [Fact]
    public void A_long_stream_at_the_bound_keeps_the_newest_statuses_and_every_earlier_version()
    {
        var versions = new List<(StatusHistory History, bool[] Expected)>();
        var history = StatusHistory.Empty;
        var all = new List<bool>();
        for (var i = 0; i < 5000; i++)
        {
            var flag = i % 3 == 0;
            history = history.Add(flag, 50).History;
            all.Add(flag);
            if (i % 997 == 0) versions.Add((history, all.TakeLast(50).ToArray()));
        }

        Assert.Equal(all.TakeLast(50), history);
        foreach (var (version, expected) in versions) Assert.Equal(expected, version);
    }

    [Fact]
    public void A_collection_expression_builds_a_history()
    {
        StatusHistory history = [false, true];

        Assert.Equal([false, true, true], history.Add(true, 10).History);
        Assert.Equal([false, true], history);
    }
}
