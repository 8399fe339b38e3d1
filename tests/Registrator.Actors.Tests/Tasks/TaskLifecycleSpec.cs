using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// The lifecycle through the shard region, with the encoder double: above all DONE (registering), the moment after a
/// registration took the cycle, when the next command already starts the next cycle while the clip is written.
/// </summary>
public sealed class TaskLifecycleSpec(ITestOutputHelper output) : ShardedTaskSpec(output)
{
    [Fact]
    public void Frames_and_statuses_that_arrive_while_a_clip_is_written_start_the_next_cycle_and_both_events_come_out()
    {
        var key = NewKey();
        var first = BringToRegistering(key, frames: 3);

        // The camera keeps sending: nothing is rejected, a new cycle begins at once.
        Assert.Equal(TaskState.Created, Accept(Frame(key, id: "g0")).State);
        Assert.Equal(TaskState.Created, Accept(Frame(key, id: "g1")).State);
        Assert.Equal(TaskState.Pending, Accept(new AddStatus(key, false)).State);
        var snapshot = AwaitEncoded(key, 2);
        Assert.Equal((TaskState.Pending, 1, 0L), (snapshot.State, snapshot.Cycle, snapshot.RejectedCommands));
        Assert.Equal([false], snapshot.Statuses.ToArray());
        var inFlight = Assert.Single(snapshot.Registrations);
        Assert.Equal((first.EventId, 0, 3, "writing"), (inFlight.EventId, inFlight.Cycle, inFlight.FrameCount, inFlight.Stage));

        var second = BeginRegistration(key);
        Assert.Equal(2, second.Clip.Packets.Count);
        Assert.True(second.Clip.Packets[0].IsKeyframe);
        Assert.Equal([first.EventId, second.EventId], Snapshot(key).Registrations.Select(r => r.EventId));

        // Each registration answers for its own cycle, in whatever order the clips are done.
        var secondEvent = Complete(second);
        Assert.Equal(second.VideoPath, secondEvent.VideoPath);
        Assert.Equal(TaskState.Finished, Snapshot(key).State);
        var firstEvent = Complete(first, succeed: false);
        Assert.Equal("disk full", firstEvent.Error);
        Assert.NotEqual(firstEvent.EventId, secondEvent.EventId);

        // The older cycle's failure does not touch the newer cycle's outcome.
        var after = Snapshot(key);
        Assert.Equal((TaskState.Finished, 1), (after.State, after.Cycle));
        Assert.Empty(after.Registrations);
        Assert.Equal(0, Budget.UsedBytes);
    }

    [Fact]
    public void A_second_RegisterTask_while_the_cycle_is_being_registered_is_rejected_and_the_first_completes()
    {
        var key = NewKey();
        var clip = BringToRegistering(key);

        var rejected = Ask<Rejected>(new RegisterTask(key, DefaultMessage));

        Assert.Equal(TaskState.Done, rejected.State);
        Assert.Contains("already being registered", rejected.Reason);
        var snapshot = Snapshot(key);
        Assert.Equal((TaskState.Done, true, 1L), (snapshot.State, snapshot.Registering, snapshot.RejectedCommands));
        Assert.Single(snapshot.Registrations);
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Complete(clip);
        Assert.Equal(TaskState.Finished, Snapshot(key).State);
    }

    [Theory]
    [InlineData(LifecycleColumn.Finished)]
    [InlineData(LifecycleColumn.Error)]
    public void RegisterTask_after_the_clip_is_done_is_rejected_until_a_new_cycle_begins(LifecycleColumn column)
    {
        var key = NewKey();
        BringTo(key, column);

        var rejected = Ask<Rejected>(new RegisterTask(key, DefaultMessage));
        Assert.Equal(TaskLifecycle.StateOf(column), rejected.State);
        Assert.Contains("new cycle", rejected.Reason);

        Accept(Frame(key));
        Assert.Equal(1, Snapshot(key).Cycle);
        Register(key);
    }

    [Fact]
    public void While_registering_CreateTask_starts_the_next_cycle_in_CREATED()
    {
        var key = NewKey();
        var clip = BringToRegistering(key);

        Assert.Equal(TaskState.Created, Accept(new CreateTask(key)).State);

        var snapshot = Snapshot(key);
        Assert.Equal((1, 0), (snapshot.Cycle, snapshot.FrameCount));
        Assert.Empty(snapshot.Statuses);
        Assert.True(snapshot.Registering);
        Complete(clip);
        Assert.Equal(TaskState.Created, Snapshot(key).State);
    }

    [Fact]
    public void While_registering_StopTask_and_ClearStatuses_change_nothing()
    {
        var key = NewKey();
        var clip = BringToRegistering(key);

        Assert.Equal(TaskState.Done, Accept(new StopTask(key)).State);
        Assert.Equal(TaskState.Done, Accept(new ClearStatuses(key)).State);

        var snapshot = Snapshot(key);
        Assert.Equal((TaskState.Done, 0, true), (snapshot.State, snapshot.Cycle, snapshot.Registering));
        Complete(clip);
        Assert.Equal(TaskState.Finished, Snapshot(key).State);
    }

    [Fact]
    public void DeleteTask_while_registering_stops_the_task_after_the_registration_and_its_event_still_arrives()
    {
        var key = NewKey();
        var clip = BringToRegistering(key, frames: 2);

        Assert.Equal(TaskState.None, Accept(new DeleteTask(key)).State);
        // The entity waits for its registration: a newer message waits for the next incarnation.
        Region.Tell(new AddStatus(key, false), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        ClosedSessions.ExpectNoMsg(TimeSpan.FromMilliseconds(10));

        clip.Succeed();

        Assert.Equal(clip.EventId, ExpectMsg<TaskEvents.EventRegistered>().EventId);
        Assert.Equal(key, ClosedSessions.ExpectMsg<CloseSession>().TaskKey);
        Assert.Equal(new Accepted(key, TaskState.Pending), ExpectMsg<Accepted>());
        var fresh = Snapshot(key);
        Assert.Equal((TaskState.Pending, 0, 0), (fresh.State, fresh.Cycle, fresh.FrameCount));
        Assert.Equal([false], fresh.Statuses.ToArray());
        Assert.Equal(0, Budget.UsedBytes);
    }

    [Fact]
    public void DeleteTask_forgets_the_task_and_closes_its_encoder_session()
    {
        var key = NewKey();
        AddFrames(key, 2);
        Accept(new AddStatus(key, true));

        Assert.Equal(TaskState.None, Accept(new DeleteTask(key)).State);

        var close = ClosedSessions.ExpectMsg<CloseSession>();
        Assert.Equal(key, close.TaskKey);
        AwaitAssert(() => Assert.Equal(0, Budget.UsedBytes));
        var fresh = Snapshot(key);
        Assert.Equal((TaskState.None, 0, 0), (fresh.State, fresh.Cycle, fresh.FrameCount));
        Assert.Empty(fresh.Statuses);
    }

    [Fact]
    public void DeleteTask_of_an_unknown_key_is_a_no_op()
    {
        var key = NewKey();
        Assert.Equal(TaskState.None, Accept(new DeleteTask(key)).State);
        Assert.Equal(TaskState.None, Snapshot(key).State);
    }

    [Fact]
    public void DONE_stopped_rejects_frames_and_statuses_but_registers()
    {
        var key = NewKey();
        BringTo(key, LifecycleColumn.Stopped, frames: 2);

        Assert.Contains("DONE (stopped)", Ask<Rejected>(Frame(key)).Reason);
        Assert.Contains("DONE (stopped)", Ask<Rejected>(new AddStatus(key, true)).Reason);
        Assert.Contains("DONE (stopped)", Ask<Rejected>(new CreateTask(key)).Reason);

        var (clip, registered) = Register(key);
        Assert.Equal(2, clip.Packets.Count);
        Assert.Null(registered.Error);
        Assert.Equal(TaskState.Finished, Snapshot(key).State);
    }
}

/// <summary>An encoder that never answers: the registration's timeout records the event without its clip.</summary>
public sealed class TaskRegistrationTimeoutSpec(ITestOutputHelper output)
    : ShardedTaskSpec(output, "registrator.task.registration-timeout = 500ms")
{
    [Fact]
    public void A_clip_the_encoder_never_answers_is_recorded_as_ERROR_with_the_reason()
    {
        var key = NewKey();
        var clip = BringToRegistering(key);

        var registered = ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(5));

        Assert.Equal(clip.EventId, registered.EventId);
        Assert.Null(registered.VideoPath);
        Assert.Contains("did not answer", registered.Error);
        Assert.Equal(TaskState.Error, Snapshot(key).State);

        // A late answer changes nothing.
        clip.Succeed();
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(TaskState.Error, Snapshot(key).State);
    }
}
