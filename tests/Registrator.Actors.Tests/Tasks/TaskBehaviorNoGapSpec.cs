using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// No gap between events: a registration takes its cycle and the very next command starts the next one, while the
/// registration finishes on its own — late packets join it, it writes its clip when all are back, it records its own event.
/// </summary>
public sealed class TaskBehaviorNoGapSpec
{
    [Fact]
    public void The_command_after_a_registration_starts_the_next_cycle_at_once_and_is_never_rejected()
    {
        var task = new BehaviorHarness();
        task.Frames(3);
        task.Status(true);
        task.Register("""{"n":1}""");
        var registered = task.State.Cycle;

        var frame = task.Frame("next-0");
        var status = task.Status(false);

        Assert.Equal(new Accepted(task.Key, TaskState.Created), frame.Reply);
        Assert.Equal(new Accepted(task.Key, TaskState.Pending), status.Reply);
        Assert.Equal(registered + 1, task.State.Cycle);
        Assert.Equal([false], task.State.Statuses.ToArray());
        Assert.Equal(0, task.State.Counters.Rejected);
        var job = task.EncodeJobs[^1];
        Assert.Equal(registered + 1, job.Cycle);
        Assert.True(job.ForceKeyframe);
    }

    [Fact]
    public void Packets_that_come_back_late_join_the_registration_and_the_clip_waits_for_the_last_of_them()
    {
        var task = new BehaviorHarness();
        task.Frames(5);
        task.Encode(3); // two frames of the cycle are still at the encoder when it is registered
        task.Register("""{"n":1}""");
        var registration = Assert.Single(task.State.Registrations);
        Assert.Equal(RegistrationStage.Encoding, registration.Stage);
        Assert.Empty(task.Clips);

        task.Frames(2, "next"); // the next cycle goes on meanwhile: its frames queue behind the late ones
        task.Encode(1);
        Assert.Empty(task.Clips);
        Assert.Equal(4, task.State.Registrations[0].Frames.Count);

        task.Encode(1);
        var clip = Assert.Single(task.Clips);
        Assert.Equal(registration.EventId, clip.EventId);
        Assert.Equal(5, clip.Packets.Count);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), clip.Packets.Select(p => p.Pts));
        Assert.True(clip.Packets[0].IsKeyframe);
        Assert.Equal(RegistrationStage.Writing, task.State.Registrations[0].Stage);

        task.Encode();
        Assert.Equal(2, task.State.Frames.Count); // the next cycle's packets stay with the next cycle
        Assert.Equal(5, task.State.Registrations[0].FrameCount);
        Assert.Single(task.Clips);
    }

    [Fact]
    public void Several_registrations_in_flight_each_record_their_own_event_with_their_own_cycle()
    {
        var task = new BehaviorHarness();
        // cycle 0: 4 frames, 2 statuses, registered with its last frame still at the encoder
        task.Frames(4, "a");
        task.Encode(3);
        task.Status(true);
        task.Status(true);
        task.Register("""{"event":"A"}""");
        // cycle 1: 2 frames, 3 statuses, registered by RegisterTask while its frames are at the encoder too
        task.Frames(2, "b");
        task.Status(false);
        task.Status(false);
        task.Status(true);
        task.Register("""{"event":"B"}""");
        // cycle 2 goes on
        task.Frame("c0");
        task.Status(true);

        var a = task.State.Registrations[0];
        var b = task.State.Registrations[1];
        Assert.NotEqual(a.EventId, b.EventId);
        Assert.Equal((0, 1, 2), (a.Cycle, b.Cycle, task.State.Cycle));
        var snapshot = task.Snapshot();
        Assert.True(snapshot.Registering);
        Assert.Equal(TaskState.Pending, snapshot.State);
        Assert.Equal(
            [new RegistrationInFlight(a.EventId, 0, 3, "encoding"), new RegistrationInFlight(b.EventId, 1, 0, "encoding")],
            snapshot.Registrations.ToArray());

        task.Encode(); // the late packets of cycles 0 and 1, then cycle 2's
        Assert.Equal(
            [new RegistrationInFlight(a.EventId, 0, 4, "writing"), new RegistrationInFlight(b.EventId, 1, 2, "writing")],
            task.Snapshot().Registrations.ToArray());
        Assert.Equal([a.EventId, b.EventId], task.Clips.Select(c => c.EventId));
        Assert.Equal([4, 2], task.Clips.Select(c => c.Packets.Count));

        // the younger clip is written first: each event is settled by its own answer
        task.ClipWritten(task.Clips[1]);
        Assert.Equal(
            [new RegistrationInFlight(a.EventId, 0, 4, "writing"), new RegistrationInFlight(b.EventId, 1, 2, "recording")],
            task.Snapshot().Registrations.ToArray());
        task.ClipWritten(task.Clips[0]);

        var recordA = task.RecordOf(a.EventId).Event;
        var recordB = task.RecordOf(b.EventId).Event;
        Assert.Equal(("""{"event":"A"}""", 4, 2, true, 0), (recordA.MessageJson, recordA.Statistics.FrameCount, recordA.Statistics.StatusCount, recordA.Statistics.MostCommonStatus, recordA.Statistics.Cycle));
        Assert.Equal(("""{"event":"B"}""", 2, 3, false, 1), (recordB.MessageJson, recordB.Statistics.FrameCount, recordB.Statistics.StatusCount, recordB.Statistics.MostCommonStatus, recordB.Statistics.Cycle));
        Assert.All([recordA, recordB], r => Assert.Null(r.Error));
        Assert.NotEqual(recordA.VideoPath, recordB.VideoPath);
        // the current cycle keeps its own state: no older registration turns it into FINISHED
        Assert.Equal(LifecycleColumn.Pending, task.State.Column);
        Assert.Equal(1, task.State.Frames.Count);

        task.Stored(b.EventId);
        task.Stored(a.EventId);
        Assert.Empty(task.State.Registrations);
        Assert.False(task.Snapshot().Registering);
    }

    [Fact]
    public void The_window_trigger_registers_while_frames_and_statuses_keep_arriving_and_the_next_status_starts_the_next_cycle()
    {
        var task = new BehaviorHarness(BehaviorHarness.WindowSettings(window: 10, ratio: 0.3));
        for (var i = 0; i < 10; i++)
        {
            task.Frame($"a{i}");
            task.Status(i < 4, $$"""{"frame_id":"a{{i}}","timestamp":{{1796000000 + i}}}""");
        }
        var taken = Assert.Single(task.State.Registrations);
        Assert.Same(Akka.Actor.ActorRefs.Nobody, taken.ReplyTo);
        Assert.Equal(LifecycleColumn.Registering, task.State.Column);

        for (var i = 0; i < 10; i++)
        {
            task.Frame($"b{i}");
            task.Status(false);
            if (i == 0) Assert.Equal(taken.Cycle + 1, task.State.Cycle);
        }
        task.FinishClips();

        var record = task.RecordOf(taken.EventId).Event;
        Assert.Equal("""{"frame_id":"a9","timestamp":1796000009}""", record.MessageJson);
        Assert.Equal(10, record.Statistics.FrameCount);
        Assert.Equal(10, record.Statistics.StatusCount);
        Assert.Equal(9, task.Clips.Single().KeyframeIndex);
        Assert.Equal(taken.Cycle + 1, task.State.Cycle);
        Assert.Equal(10, task.State.Frames.Count);
        Assert.Equal(10, task.State.Statuses.Count);
        Assert.Equal(LifecycleColumn.Pending, task.State.Column);
        Assert.Equal(0, task.State.Counters.Rejected);
    }

    [Fact]
    public void Registering_twice_before_the_next_cycle_starts_is_rejected_and_leaves_the_first_registration_alone()
    {
        var task = new BehaviorHarness();
        task.Frames(2);
        task.Register();
        var before = task.State;

        var again = task.Register();

        var rejected = Assert.IsType<Rejected>(again.Reply);
        Assert.Equal(TaskState.Done, rejected.State);
        Assert.Same(before.Registrations, task.State.Registrations);
    }
}
