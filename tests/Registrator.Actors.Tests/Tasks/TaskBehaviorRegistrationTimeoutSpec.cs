using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Media;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// A registration's timeout, and stopping with registrations in flight: the inference message is never lost — an event
/// whose clip did not come in time is recorded with an error; a stop waits for the last event to be safe at the store.
/// </summary>
public sealed class TaskBehaviorRegistrationTimeoutSpec
{
    private static (BehaviorHarness Task, TaskRegistration Registration) Writing()
    {
        var task = new BehaviorHarness();
        task.Frames(3);
        task.Encode();
        task.Status(true);
        task.Register("""{"n":1}""");
        var registration = Assert.Single(task.State.Registrations);
        Assert.Equal(RegistrationStage.Writing, registration.Stage);
        return (task, registration);
    }

    [Fact]
    public void Timing_out_while_writing_records_the_event_with_an_error_and_the_task_is_in_error()
    {
        var (task, registration) = Writing();

        var outcome = task.Send(new RegistrationTimedOut(registration.EventId));

        var record = Assert.Single(outcome.Effects.OfType<TaskEffect.Record>());
        Assert.Equal(registration.EventId, record.Event.EventId);
        Assert.NotNull(record.Event.Error);
        Assert.Null(record.Event.VideoPath);
        Assert.Null(record.Event.ImagePath);
        Assert.Equal("""{"n":1}""", record.Event.MessageJson);
        Assert.Equal(3, record.Event.Statistics.FrameCount);
        Assert.Same(BehaviorHarness.Requester, record.ReplyTo);
        Assert.Equal(LifecycleColumn.Error, task.State.Column);
        Assert.Equal(RegistrationStage.Recording, Assert.Single(task.State.Registrations).Stage);
        Assert.Equal(0, task.State.HeldBytes); // the packets are freed
        // The event now waits for the store, under a timeout of its own.
        Assert.Contains(new TaskEffect.StartTimeout(registration.EventId), outcome.Effects);
    }

    [Fact]
    public void A_clip_that_comes_after_the_timeout_does_not_record_the_event_twice_and_its_files_are_deleted()
    {
        var (task, registration) = Writing();
        task.Send(new RegistrationTimedOut(registration.EventId));

        var late = task.ClipWritten(task.Clips.Single());

        // The event is recorded once, without the clip; the files the encoder wrote late are nobody's.
        var discard = Assert.IsType<TaskEffect.Discard>(Assert.Single(late.Effects));
        Assert.Equal(registration.EventId, discard.Job.EventId);
        Assert.Equal([$"/tmp/{registration.EventId}/{registration.EventId}.mp4", $"/tmp/{registration.EventId}/{registration.EventId}.jpg"], discard.Job.Paths);
        Assert.Single(task.Records);
        Assert.Equal(LifecycleColumn.Error, task.State.Column);
    }

    [Fact]
    public void A_clip_that_comes_after_the_store_accepted_the_timed_out_event_is_not_recorded()
    {
        var (task, registration) = Writing();
        task.Send(new RegistrationTimedOut(registration.EventId));
        task.Send(new Registrator.Actors.EventStore.EventAccepted(registration.EventId));

        var late = task.ClipWritten(task.Clips.Single());

        // The registration is gone: nothing says whose the files are any more, so the orphan sweep takes them.
        Assert.Empty(late.Effects);
        Assert.Empty(task.State.Registrations);
        Assert.Single(task.Records);
    }

    [Fact]
    public void Timing_out_after_the_next_cycle_began_leaves_that_cycle_in_its_own_state()
    {
        var (task, registration) = Writing();
        task.Status(false);

        task.Send(new RegistrationTimedOut(registration.EventId));

        Assert.NotNull(task.RecordOf(registration.EventId).Event.Error);
        Assert.Equal(LifecycleColumn.Pending, task.State.Column);
        Assert.Equal([false], task.State.Statuses.ToArray());
    }

    [Fact]
    public void Timing_out_while_encoding_records_the_event_with_an_error_and_late_packets_are_dropped()
    {
        var task = new BehaviorHarness { KeyframeInterval = 2 }; // the late packets include a keyframe
        task.Frames(3);
        task.Encode(1);
        task.Register();
        var registration = Assert.Single(task.State.Registrations);
        Assert.Equal(RegistrationStage.Encoding, registration.Stage);

        task.Send(new RegistrationTimedOut(registration.EventId));
        Assert.Equal(LifecycleColumn.Error, task.State.Column);
        Assert.NotNull(task.RecordOf(registration.EventId).Event.Error);

        task.Encode(); // the two packets the registration gave up on

        Assert.Empty(task.Clips);
        Assert.Equal(0, task.State.Frames.Count); // they do not slip into the task's own buffer
        Assert.Equal(0, task.State.HeldBytes);
        Assert.Equal(0, task.State.Registrations.Single().Frames.Count);
    }

    [Fact]
    public void A_late_packet_of_a_finished_cycle_does_not_join_the_buffer()
    {
        var task = new BehaviorHarness();
        task.Frames(2);
        task.Encode();
        task.Register();
        task.FinishClips();
        var cycle = task.State.Cycle;
        Assert.Equal(LifecycleColumn.Finished, task.State.Column);
        var before = task.State;

        task.Send(new FrameEncoded(cycle, new EncodedPacket(new byte[100], 99, true), "stray"));

        Assert.Same(before, task.State);
        Assert.Equal(0, task.State.Frames.Count);
        Assert.Equal(0, task.State.HeldBytes);
    }

    [Fact]
    public void A_failed_frame_of_a_finished_cycle_does_not_touch_the_buffer()
    {
        var task = new BehaviorHarness();
        task.Frames(2);
        task.Encode();
        task.Register();
        task.FinishClips();
        var before = task.State.Frames;

        task.Send(new FrameEncodeFailed(task.State.Cycle, 5, "encoder crashed"));

        Assert.Equal(before, task.State.Frames);
    }

    [Fact]
    public void Timing_out_while_recording_tells_the_requester_the_registration_failed()
    {
        var (task, registration) = Writing();
        task.ClipWritten(task.Clips.Single());
        Assert.Equal(RegistrationStage.Recording, task.State.Registrations.Single().Stage);

        var outcome = task.Send(new RegistrationTimedOut(registration.EventId));

        var notify = Assert.Single(outcome.Effects.OfType<TaskEffect.Notify>());
        Assert.Same(BehaviorHarness.Requester, notify.To);
        var failed = Assert.IsType<TaskEvents.RegistrationFailed>(notify.Message);
        Assert.Equal(task.Key, failed.TaskKey);
        Assert.Empty(task.State.Registrations);
        Assert.Empty(outcome.Effects.OfType<TaskEffect.Record>());
        Assert.Equal(LifecycleColumn.Finished, task.State.Column); // the clip was written
    }

    [Fact]
    public void A_timeout_for_a_registration_no_longer_in_flight_is_ignored()
    {
        var (task, registration) = Writing();
        task.ClipWritten(task.Clips.Single());
        task.Stored(registration.EventId);
        var before = task.State;

        var outcome = task.Send(new RegistrationTimedOut(registration.EventId));

        Assert.Empty(outcome.Effects);
        Assert.Same(before, task.State);
    }

    [Fact]
    public void A_failed_clip_records_the_event_with_the_error_and_the_task_is_in_error()
    {
        var (task, registration) = Writing();

        task.ClipFailed(task.Clips.Single(), "disk full");

        var record = task.RecordOf(registration.EventId).Event;
        Assert.Equal("disk full", record.Error);
        Assert.Null(record.VideoPath);
        Assert.Equal(LifecycleColumn.Error, task.State.Column);
    }

    [Fact]
    public void A_stop_with_registrations_in_flight_waits_until_the_last_event_is_accepted()
    {
        var task = new BehaviorHarness();
        task.Frames(2);
        task.Register("""{"n":1}""");
        task.Frames(2, "b");
        task.Register("""{"n":2}""");
        var (first, second) = (task.State.Registrations[0], task.State.Registrations[1]);

        var stop = task.Send(StopRequested.Instance);
        Assert.DoesNotContain(TaskEffect.StopSelf.Instance, stop.Effects);
        Assert.True(task.State.StopRequested);

        task.FinishClips();
        Assert.Equal(2, task.Records.Count);
        Assert.DoesNotContain(TaskEffect.StopSelf.Instance, task.Effects);

        var one = task.Stored(second.EventId);
        Assert.DoesNotContain(TaskEffect.StopSelf.Instance, one.Effects);

        var last = task.Stored(first.EventId);
        Assert.Contains(TaskEffect.StopSelf.Instance, last.Effects);
    }

    [Fact]
    public void A_stop_waiting_for_a_store_that_never_answers_ends_with_the_timeouts()
    {
        var (task, registration) = Writing();
        task.Send(StopRequested.Instance);

        var first = task.Send(new RegistrationTimedOut(registration.EventId)); // the clip never came: recorded with the error
        Assert.DoesNotContain(TaskEffect.StopSelf.Instance, first.Effects);
        Assert.Contains(new TaskEffect.StartTimeout(registration.EventId), first.Effects);

        var second = task.Send(new RegistrationTimedOut(registration.EventId)); // the store never answered either

        Assert.Contains(TaskEffect.StopSelf.Instance, second.Effects);
        Assert.Single(second.Effects.OfType<TaskEffect.Notify>());
    }

    [Fact]
    public void A_stop_without_registrations_stops_at_once()
    {
        var task = new BehaviorHarness();
        task.Status(true);

        var stop = task.Send(StopRequested.Instance);

        Assert.Contains(TaskEffect.StopSelf.Instance, stop.Effects);
    }
}
