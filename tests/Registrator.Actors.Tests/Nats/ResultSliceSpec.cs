using Registrator.Actors.Nats;
using Registrator.Actors.Tasks;
using Xunit;

namespace Registrator.Actors.Tests.Nats;

/// <summary>A slice of the results stream becomes one batch per key, each key's statuses in arrival order.</summary>
public sealed class ResultSliceSpec
{
    private static Parsed<KeyedStatus> Result(string key, bool flag, int n) => new KeyedStatus(key, new BatchedStatus(flag, $$"""{"key":"{{key}}","n":{{n}}}""", null));

    [Fact]
    public void Each_key_gets_one_batch_with_its_statuses_in_arrival_order_keys_in_first_seen_order()
    {
        var slice = new[] { Result("b", true, 1), Result("a", false, 2), Result("b", false, 3), Result("a", true, 4), Result("b", true, 5) };

        var batches = ResultSlice.ByKey(slice).Cast<StatusBatch>().ToList();

        Assert.Equal(["b", "a"], batches.Select(b => b.TaskKey));
        Assert.Equal([true, false, true], batches[0].Statuses.Select(s => s.Flag));
        Assert.Equal(["1", "3", "5"], batches[0].Statuses.Select(s => s.MessageJson[^2..^1]));
        Assert.Equal([false, true], batches[1].Statuses.Select(s => s.Flag));
    }

    [Fact]
    public void Results_that_did_not_parse_come_out_as_their_bad_input()
    {
        var bad = new BadInput(BadInputReason.InvalidJson, "not JSON");
        var slice = new[] { Result("a", true, 1), bad, Result("a", false, 2) };

        var items = ResultSlice.ByKey(slice).ToList();

        Assert.Equal(2, Assert.IsType<StatusBatch>(items[0]).Statuses.Length);
        Assert.Same(bad, items[1]);
        Assert.Equal(2, items.Count);
    }
}
