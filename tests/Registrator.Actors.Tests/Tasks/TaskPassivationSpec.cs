using Akka.Cluster.Sharding;
using Registrator.Actors.Encoding;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Tests.Tasks;

public sealed class TaskPassivationSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.task.passivate-after = 500ms")
{
    [Fact]
    public void An_idle_task_passivates_closes_its_encoder_session_and_a_later_message_meets_a_fresh_task()
    {
        var key = NewKey();
        Accept(new AddStatus(key, true));
        AddFrames(key, 2);
        Assert.NotEqual(0, Budget.UsedBytes);

        // Watch the encoder and the region's own view (asking the task would keep it awake).
        var close = ClosedSessions.ExpectMsg<CloseSession>(TimeSpan.FromSeconds(10));
        Assert.Equal(key, close.TaskKey);
        AwaitAssert(() => Assert.DoesNotContain(key, EntityIds()), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, Budget.UsedBytes);

        var fresh = Snapshot(key);
        Assert.Equal(TaskState.None, fresh.State);
        Assert.Empty(fresh.Statuses);
        Assert.Equal(0, fresh.FrameCount);
    }

    [Fact]
    public void The_next_incarnation_starts_its_frames_on_a_keyframe()
    {
        var key = NewKey();
        AddFrames(key, 2);
        ClosedSessions.ExpectMsg<CloseSession>(TimeSpan.FromSeconds(10));
        Assert.Equal([true, false], new[] { EncoderFrames.ExpectMsg<EncodeFrame>(), EncoderFrames.ExpectMsg<EncodeFrame>() }.Select(f => f.ForceKeyframe));
        AwaitAssert(() => Assert.DoesNotContain(key, EntityIds()), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));

        Accept(Frame(key));

        Assert.True(EncoderFrames.ExpectMsg<EncodeFrame>().ForceKeyframe);
        Assert.Equal(1, AwaitEncoded(key, 1).FrameCount);
    }

    [Fact]
    public void A_registering_task_does_not_passivate_until_its_registration_is_done()
    {
        var key = NewKey();
        var clip = BringToRegistering(key);

        // Three passivation periods pass while the clip is still being written: the registering incarnation must stay,
        // session open. On a loaded machine the setup itself can outlast passivate-after, so an earlier incarnation may
        // have passivated before RegisterTask (its close comes from that incarnation, and the next one took over).
        var closedBy = ClosedSessions.ReceiveWhile(TimeSpan.FromSeconds(1.5), _ => ClosedSessions.LastSender, msgs: int.MaxValue);
        Assert.DoesNotContain(clip.Requester, closedBy);
        Assert.Contains(key, EntityIds());

        clip.Succeed();
        Assert.Equal(clip.EventId, ExpectMsg<TaskEvents.EventRegistered>().EventId);
        Assert.Equal(key, ClosedSessions.ExpectMsg<CloseSession>(TimeSpan.FromSeconds(10)).TaskKey);
        AwaitAssert(() => Assert.DoesNotContain(key, EntityIds()), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
    }

    private string[] EntityIds()
    {
        Region.Tell(GetShardRegionState.Instance, TestActor);
        return ExpectMsg<CurrentShardRegionState>().Shards.SelectMany(s => s.EntityIds).ToArray();
    }
}
