using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

public sealed class TaskStatusesSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.task.max-statuses = 5")
{
    [Theory]
    [InlineData(new[] { true, false, true }, true)]
    [InlineData(new[] { true, false }, true)]
    [InlineData(new[] { false, true }, false)]
    public void Most_common_answers_as_the_Python_module(bool[] statuses, bool expected)
    {
        var key = NewKey();
        foreach (var flag in statuses) Accept(new AddStatus(key, flag));
        Assert.Equal(new MostCommon(key, expected), Ask<MostCommon>(new GetMostCommon(key)));
        Assert.Equal(statuses, Snapshot(key).Statuses.ToArray());
    }

    [Fact]
    public void Most_common_of_a_task_without_statuses_has_no_value()
    {
        var key = NewKey();
        Assert.Equal(new MostCommon(key, null), Ask<MostCommon>(new GetMostCommon(key)));
        Accept(new CreateTask(key));
        Assert.Equal(new MostCommon(key, null), Ask<MostCommon>(new GetMostCommon(key)));
    }

    [Fact]
    public void ClearStatuses_leaves_no_most_common_value()
    {
        var key = NewKey();
        Accept(new AddStatus(key, true));
        Accept(new AddStatus(key, false));
        Accept(new ClearStatuses(key));
        Assert.Equal(new MostCommon(key, null), Ask<MostCommon>(new GetMostCommon(key)));
        Assert.Empty(Snapshot(key).Statuses);
    }

    [Fact]
    public void Max_statuses_drops_the_oldest_and_counts_the_drops()
    {
        var key = NewKey();
        bool[] flags = [false, false, true, true, true, true, false];
        foreach (var flag in flags) Accept(new AddStatus(key, flag));
        var snapshot = Snapshot(key);
        Assert.Equal(flags[2..], snapshot.Statuses.ToArray());
        Assert.Equal(2, snapshot.StatusesDropped);
    }

    [Fact]
    public void Two_keys_never_share_state()
    {
        var (a, b) = (NewKey(), NewKey());
        Accept(new AddStatus(a, true));
        AddFrames(b, 1);
        Accept(new StopTask(b));
        var (snapshotA, snapshotB) = (Snapshot(a), Snapshot(b));
        Assert.Equal([true], snapshotA.Statuses.ToArray());
        Assert.Equal(0, snapshotA.FrameCount);
        Assert.Equal(TaskState.Pending, snapshotA.State);
        Assert.Empty(snapshotB.Statuses);
        Assert.Equal(1, snapshotB.FrameCount);
        Assert.Equal(TaskState.Done, snapshotB.State);
    }

    [Theory]
    [InlineData("cameras/entrance/1")]
    [InlineData("../../etc/passwd")]
    [InlineData("камера №1 🎥")]
    [InlineData("a b%2Fc?d#e")]
    public void Keys_with_slashes_dots_and_unicode_are_ordinary_tasks(string key)
    {
        Accept(new AddStatus(key, true));
        var snapshot = Snapshot(key);
        Assert.Equal(key, snapshot.TaskKey);
        Assert.Equal([true], snapshot.Statuses.ToArray());
        Assert.Equal(new MostCommon(key, true), Ask<MostCommon>(new GetMostCommon(key)));
    }

    [Fact]
    public void A_status_while_a_clip_is_written_starts_the_next_cycle_with_only_that_status()
    {
        var key = NewKey();
        var clip = BringToRegistering(key);
        Assert.Equal([true], Snapshot(key).Statuses.ToArray());

        Assert.Equal(TaskState.Pending, Accept(new AddStatus(key, false)).State);

        var snapshot = Snapshot(key);
        Assert.Equal([false], snapshot.Statuses.ToArray());
        Assert.Equal(1, snapshot.Cycle);
        Assert.Equal(new MostCommon(key, false), Ask<MostCommon>(new GetMostCommon(key)));
        Complete(clip);
    }

    [Fact]
    public void A_message_that_is_not_a_JSON_object_is_rejected_with_its_status()
    {
        var key = NewKey();
        Accept(new AddStatus(key, true));
        Assert.Contains("JSON object", Ask<Rejected>(new AddStatus(key, false, "[1]")).Reason);
        Assert.Equal([true], Snapshot(key).Statuses.ToArray());
    }

    [Fact]
    public void An_older_message_does_not_replace_the_latest_one()
    {
        var key = NewKey();
        Accept(new AddStatus(key, true, """{"timestamp":1796000002,"frame_id":"new"}"""));
        Accept(new AddStatus(key, true, """{"timestamp":1796000001,"frame_id":"old"}"""));
        Assert.Equal("""{"timestamp":1796000002,"frame_id":"new"}""", Snapshot(key).LatestMessageJson);
        Assert.Equal(2, Snapshot(key).Statuses.Length);
    }

    [Fact]
    public void A_command_without_a_sender_gets_no_reply_but_is_applied()
    {
        var key = NewKey();
        Region.Tell(new AddStatus(key, true), Akka.Actor.ActorRefs.NoSender);
        AwaitAssert(() => Assert.Equal([true], Snapshot(key).Statuses.ToArray()));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
