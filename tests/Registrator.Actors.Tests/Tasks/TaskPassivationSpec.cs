using Akka.Cluster.Sharding;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tests.Tasks;

public sealed class TaskPassivationSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.task.passivate-after = 500ms")
{
    [Fact]
    public void An_idle_task_passivates_and_a_later_message_meets_a_fresh_task()
    {
        var key = NewKey();
        Accept(new AddStatus(key, true));
        Accept(Frame(key));

        // Watch the region's own view (asking the task would keep it awake).
        AwaitAssert(() => Assert.DoesNotContain(key, EntityIds()), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));

        var fresh = Snapshot(key);
        Assert.Equal(TaskState.None, fresh.State);
        Assert.Empty(fresh.Statuses);
        Assert.Equal(0, fresh.FrameCount);
        Assert.Equal(0, Budget.UsedBytes);
    }

    [Fact]
    public void A_registering_task_does_not_passivate()
    {
        var key = NewKey();
        Accept(Frame(key));
        Region.Tell(new RegisterTask(key, "{}"), TestActor);
        var job = Encoder.ExpectMsg<Registrator.Actors.Encoding.EncodeJob>();
        var encoderSender = Encoder.LastSender;

        // Three passivation periods pass while the clip is still being written: the entity must stay.
        Encoder.ExpectNoMsg(TimeSpan.FromSeconds(1.5));
        Assert.Contains(key, EntityIds());

        encoderSender.Tell(new Registrator.Actors.Encoding.EncodeSucceeded(job.EventId, "/tmp/a.mp4", "/tmp/a.jpg", 1, TimeSpan.Zero), Encoder.Ref);
        ExpectMsg<TaskEvents.EventRegistered>();
        AwaitAssert(() => Assert.DoesNotContain(key, EntityIds()), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
    }

    private IEnumerable<string> EntityIds()
    {
        Region.Tell(GetShardRegionState.Instance, TestActor);
        return ExpectMsg<CurrentShardRegionState>().Shards.SelectMany(s => s.EntityIds).ToArray();
    }
}
