using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// Every cell of docs/design.md's lifecycle table (7 commands × 7 columns, DONE split into "stopped" and "registering",
/// FINISHED and ERROR each a column of their own), on <see cref="TaskBehavior.Process"/> and on <see cref="TaskLifecycle.Decide"/>.
/// Each column is reached by driving the function, never by building the value by hand.
/// </summary>
public sealed class TaskLifecycleTableSpec
{
    public static readonly LifecycleColumn[] Columns =
    [
        LifecycleColumn.None, LifecycleColumn.Created, LifecycleColumn.Pending, LifecycleColumn.Stopped,
        LifecycleColumn.Registering, LifecycleColumn.Finished, LifecycleColumn.Error,
    ];

    /// <summary>docs/design.md's table, cell for cell (its "FINISHED / ERROR" column written out twice).</summary>
    private static readonly (string Command, string[] Cells)[] Table =
    [
        //                 (none)               CREATED          PENDING          DONE (stopped)   DONE (registering)             FINISHED               ERROR
        ("CreateTask",    ["→ CREATED",         "no-op",         "no-op",         "rejected",      "new cycle → CREATED",         "new cycle → CREATED", "new cycle → CREATED"]),
        ("AddStatus",     ["→ PENDING",         "→ PENDING",     "append",        "rejected",      "new cycle → PENDING",         "new cycle → PENDING", "new cycle → PENDING"]),
        ("AddFrame",      ["→ CREATED, buffer", "buffer",        "buffer",        "rejected",      "new cycle, buffer",           "new cycle, buffer",   "new cycle, buffer"]),
        ("ClearStatuses", ["no-op",             "clear",         "clear",         "clear",         "no-op",                       "clear",               "clear"]),
        ("StopTask",      ["rejected",          "→ DONE",        "→ DONE",        "no-op",         "no-op",                       "no-op",               "no-op"]),
        ("RegisterTask",  ["→ register",        "→ register",    "→ register",    "→ register",    "rejected",                    "rejected",            "rejected"]),
        ("DeleteTask",    ["no-op",             "stop entity",   "stop entity",   "stop entity",   "stop after the registration", "stop entity",         "stop entity"]),
    ];

    public static TheoryData<string, LifecycleColumn, string> Cells()
    {
        var data = new TheoryData<string, LifecycleColumn, string>();
        foreach (var (command, cells) in Table)
            for (var column = 0; column < Columns.Length; column++)
                data.Add(command, Columns[column], cells[column]);
        return data;
    }

    private enum Kind { Apply, NoOp, Reject, Register, Delete, DeleteAfterRegistration }

    private sealed record Expectation(Kind Kind, LifecycleColumn Next, bool NewCycle = false);

    /// <summary>What a cell's words mean, in the column the command meets.</summary>
    private static Expectation Expect(string cell, LifecycleColumn from) => cell switch
    {
        "rejected" => new(Kind.Reject, from),
        "no-op" => new(Kind.NoOp, from),
        "→ CREATED" or "→ CREATED, buffer" => new(Kind.Apply, LifecycleColumn.Created),
        "→ PENDING" or "append" => new(Kind.Apply, LifecycleColumn.Pending),
        "→ DONE" => new(Kind.Apply, LifecycleColumn.Stopped),
        "buffer" or "clear" => new(Kind.Apply, from),
        "new cycle → CREATED" or "new cycle, buffer" => new(Kind.Apply, LifecycleColumn.Created, NewCycle: true),
        "new cycle → PENDING" => new(Kind.Apply, LifecycleColumn.Pending, NewCycle: true),
        "→ register" => new(Kind.Register, LifecycleColumn.Registering),
        "stop entity" => new(Kind.Delete, LifecycleColumn.None),
        "stop after the registration" => new(Kind.DeleteAfterRegistration, LifecycleColumn.None),
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "not a word of the table"),
    };

    /// <summary>
    /// Drives a fresh task into <paramref name="column"/>: CREATED with one frame, PENDING with two frames and statuses
    /// [true, false], DONE (stopped) that stopped, DONE (registering) that registered (its clip being written), FINISHED /
    /// ERROR that registered and whose event the store has.
    /// </summary>
    public static BehaviorHarness In(LifecycleColumn column)
    {
        var task = new BehaviorHarness();
        if (column == LifecycleColumn.None) return task;
        task.Create();
        task.Frame("f0");
        task.Encode();
        if (column == LifecycleColumn.Created) return task;
        task.Frame("f1");
        task.Encode();
        task.Status(true);
        task.Status(false, """{"timestamp": 1796000000.5, "n": 1}""");
        if (column == LifecycleColumn.Pending) return task;
        if (column == LifecycleColumn.Stopped)
        {
            task.Send(new StopTask(task.Key));
            return task;
        }
        task.Register("""{"event": "column"}""");
        if (column == LifecycleColumn.Registering) return task;
        var clip = Assert.Single(task.PendingClips);
        if (column == LifecycleColumn.Finished) task.ClipWritten(clip);
        else task.ClipFailed(clip);
        task.Stored(clip.EventId);
        return task;
    }

    [Fact]
    public void The_table_has_7_commands_in_7_columns()
    {
        Assert.Equal(7 * 7, Cells().Count());
        Assert.All(Table, row => Assert.Equal(Columns.Length, row.Cells.Length));
        Assert.Equal(Enum.GetValues<TaskCommandKind>().Length, Table.Length);
        Assert.Equal(Enum.GetValues<LifecycleColumn>().Length, Columns.Length);
    }

    [Theory]
    [MemberData(nameof(ColumnData))]
    public void Each_column_is_reached_by_driving_the_function(LifecycleColumn column)
    {
        var task = In(column);

        Assert.Equal(column, task.State.Column);
        Assert.Equal(TaskLifecycle.StateOf(column), task.State.State);
        Assert.Equal(task.State.State, task.Snapshot().State);
        switch (column)
        {
            case LifecycleColumn.Registering:
                var registration = Assert.Single(task.State.Registrations);
                Assert.Equal(RegistrationStage.Writing, registration.Stage);
                Assert.Equal(task.State.Cycle, registration.Cycle);
                Assert.Equal(2, Assert.Single(task.PendingClips).Packets.Count);
                Assert.True(task.Snapshot().Registering);
                break;
            case LifecycleColumn.Finished:
            case LifecycleColumn.Error:
                var record = Assert.Single(task.Records).Event;
                Assert.Equal(column == LifecycleColumn.Error, record.Error is not null);
                Assert.Equal(column == LifecycleColumn.Finished, record.VideoPath is not null);
                Assert.Equal(2, record.Statistics.FrameCount);
                Assert.Empty(task.State.Registrations);
                break;
            default:
                Assert.Empty(task.State.Registrations);
                break;
        }
    }

    public static TheoryData<LifecycleColumn> ColumnData() => [.. Columns];

    [Theory]
    [MemberData(nameof(Cells))]
    public void The_lifecycle_function_decides_each_cell_as_the_table_says(string command, LifecycleColumn from, string cell)
    {
        var expected = Expect(cell, from);

        var decision = TaskLifecycle.Decide(from, KindOf(command));

        switch (expected.Kind)
        {
            case Kind.Reject:
                Assert.Equal(Verdict.Reject, decision.Verdict);
                Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
                Assert.Equal(TaskLifecycle.StateOf(from), decision.Next);
                break;
            case Kind.NoOp:
                Assert.Equal(Verdict.NoOp, decision.Verdict);
                Assert.Equal(TaskLifecycle.StateOf(from), decision.Next);
                break;
            default:
                Assert.Equal(Verdict.Apply, decision.Verdict);
                Assert.Equal(TaskLifecycle.StateOf(expected.Next), decision.Next);
                break;
        }
        Assert.Equal(expected.NewCycle, decision.NewCycle);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Command_in_column_has_the_outcome_of_the_table(string command, LifecycleColumn from, string cell)
    {
        var expected = Expect(cell, from);
        var task = In(from);
        var before = task.State;
        var encodedBefore = task.EncodeJobs.Count;

        var outcome = task.Send(CommandOf(command, task.Key));
        var after = task.State;
        var encoded = task.EncodeJobs.Skip(encodedBefore).ToList();

        switch (expected.Kind)
        {
            case Kind.Reject:
                var rejected = Assert.IsType<Rejected>(outcome.Reply);
                Assert.Equal(before.State, rejected.State);
                Assert.False(string.IsNullOrWhiteSpace(rejected.Reason));
                Assert.Equal(before with { Counters = before.Counters with { Rejected = before.Counters.Rejected + 1 } }, after);
                Assert.Empty(outcome.Effects);
                break;

            case Kind.NoOp:
                Assert.Equal(new Accepted(task.Key, before.State), outcome.Reply);
                Assert.Equal(before, after);
                // DeleteTask in (none) still lets the shard stop the entity it created for that message.
                Assert.All(outcome.Effects, e => Assert.IsType<TaskEffect.Passivate>(e));
                if (command != "DeleteTask") Assert.Empty(outcome.Effects);
                break;

            case Kind.Apply:
                Assert.Equal(new Accepted(task.Key, TaskLifecycle.StateOf(expected.Next)), outcome.Reply);
                Assert.Equal(expected.Next, after.Column);
                Assert.Same(before.Registrations, after.Registrations);
                if (expected.NewCycle) AssertNewCycle(command, before, after, encoded);
                else AssertSameCycle(command, before, after, encoded);
                if (from == LifecycleColumn.Registering) AssertRegistrationCompletesOnItsOwn(task, before, expected.Next);
                break;

            case Kind.Register:
                Assert.Null(outcome.Reply); // the requester hears from the event store, or RegistrationFailed
                // A cycle without a frame has nothing to wait for: its registration settles (ERROR) in the same step.
                var withClip = before.Frames.Count > 0;
                Assert.Equal(withClip ? LifecycleColumn.Registering : LifecycleColumn.Error, after.Column);
                Assert.Equal(before.Cycle, after.Cycle);
                var registration = Assert.Single(after.Registrations);
                Assert.Equal(before.Cycle, registration.Cycle);
                Assert.Same(BehaviorHarness.Requester, registration.ReplyTo);
                Assert.Contains(new TaskEffect.StartTimeout(registration.EventId), outcome.Effects);
                Assert.Equal(0, after.Frames.Count);
                Assert.Equal(0, after.HeldBytes - registration.Frames.Bytes);

                task.FinishClips();
                var record = task.RecordOf(registration.EventId).Event;
                Assert.Equal(before.Frames.Count, record.Statistics.FrameCount);
                Assert.Equal(before.Statuses.Count, record.Statistics.StatusCount);
                Assert.Equal(before.Cycle, record.Statistics.Cycle);
                Assert.Equal("{}", record.MessageJson);
                // (none) buffered no frame: the event is still recorded, with the error and no clip.
                Assert.Equal(withClip ? LifecycleColumn.Finished : LifecycleColumn.Error, task.State.Column);
                Assert.Equal(withClip, record.Error is null);
                Assert.Equal(withClip, record.VideoPath is not null);
                break;

            case Kind.Delete:
            case Kind.DeleteAfterRegistration:
                Assert.Equal(new Accepted(task.Key, TaskState.None), outcome.Reply);
                Assert.Contains(TaskEffect.Passivate.Instance, outcome.Effects);
                Assert.Equal(LifecycleColumn.None, after.Column);
                Assert.Equal(before.Cycle + 1, after.Cycle);
                Assert.Empty(after.Statuses);
                Assert.Equal(0, after.Frames.Count);
                Assert.Null(after.LatestMessageJson);
                Assert.Same(before.Registrations, after.Registrations);
                // The shard's stop (StopRequested) comes next: the entity stops once no registration is in flight.
                var stop = task.Send(StopRequested.Instance);
                if (expected.Kind == Kind.Delete)
                {
                    Assert.Empty(before.Registrations);
                    Assert.Contains(TaskEffect.StopSelf.Instance, stop.Effects);
                    break;
                }
                Assert.DoesNotContain(TaskEffect.StopSelf.Instance, stop.Effects);
                var inFlight = Assert.Single(before.Registrations);
                task.FinishClips();
                var recorded = task.RecordOf(inFlight.EventId).Event;
                Assert.Null(recorded.Error);
                Assert.Equal(2, recorded.Statistics.FrameCount);
                Assert.Equal(LifecycleColumn.None, task.State.Column); // the deleted task does not come back as FINISHED
                Assert.DoesNotContain(TaskEffect.StopSelf.Instance, task.Effects);
                var stored = task.Stored(inFlight.EventId);
                Assert.Contains(TaskEffect.StopSelf.Instance, stored.Effects);
                break;
        }
    }

    [Fact]
    public void Delete_while_registering_stops_the_entity_only_after_the_registration_recorded_its_event()
    {
        var task = In(LifecycleColumn.Registering);
        var registration = Assert.Single(task.State.Registrations);

        var delete = task.Send(new DeleteTask(task.Key));
        var stop = task.Send(StopRequested.Instance); // the shard's answer to Passivate
        var written = task.ClipWritten(Assert.Single(task.PendingClips));
        var stored = task.Stored(registration.EventId);

        Assert.Equal(new Accepted(task.Key, TaskState.None), delete.Reply);
        Assert.Contains(TaskEffect.Passivate.Instance, delete.Effects);
        Assert.DoesNotContain(TaskEffect.StopSelf.Instance, stop.Effects);
        var record = Assert.Single(written.Effects.OfType<TaskEffect.Record>());
        Assert.Equal(registration.EventId, record.Event.EventId);
        Assert.Equal("""{"event": "column"}""", record.Event.MessageJson);
        Assert.Contains(TaskEffect.StopSelf.Instance, stored.Effects);
        Assert.Equal(TaskState.None, task.State.State);
    }

    [Fact]
    public void Register_in_done_stopped_registers_the_stopped_cycle_with_its_frames_and_statuses()
    {
        var task = In(LifecycleColumn.Stopped);

        task.Register("""{"n":2}""");
        task.FinishClips();

        var record = Assert.Single(task.Records).Event;
        Assert.Equal((2, 2, true), (record.Statistics.FrameCount, record.Statistics.StatusCount, record.Statistics.MostCommonStatus));
        Assert.Equal(LifecycleColumn.Finished, task.State.Column);
    }

    [Fact]
    public void Stop_and_clear_while_registering_leave_the_registration_and_the_column_alone()
    {
        var task = In(LifecycleColumn.Registering);
        var before = task.State;

        var stop = task.Send(new StopTask(task.Key));
        var clear = task.Send(new ClearStatuses(task.Key));

        Assert.Equal(new Accepted(task.Key, TaskState.Done), stop.Reply);
        Assert.Equal(new Accepted(task.Key, TaskState.Done), clear.Reply);
        Assert.Equal(before, task.State);
        task.ClipWritten(Assert.Single(task.PendingClips));
        Assert.Equal(LifecycleColumn.Finished, task.State.Column); // still that cycle: it shows the outcome
    }

    [Fact]
    public void A_rejected_command_in_done_stopped_is_counted_and_visible_in_the_snapshot()
    {
        var task = In(LifecycleColumn.Stopped);

        task.Create();
        task.Status(true);
        task.Frame("late");

        var snapshot = task.Snapshot();
        Assert.Equal(3, snapshot.RejectedCommands);
        Assert.Equal(TaskState.Done, snapshot.State);
        Assert.Equal([true, false], snapshot.Statuses.ToArray());
    }

    private static void AssertNewCycle(string command, TaskData before, TaskData after, List<Registrator.Actors.Encoding.EncodeFrame> encoded)
    {
        Assert.Equal(before.Cycle + 1, after.Cycle);
        Assert.Equal(command == "AddStatus" ? [true] : Array.Empty<bool>(), after.Statuses.ToArray());
        Assert.Equal(before.Trigger.Reset(), after.Trigger); // the manual policy counts nothing (the window trigger: TaskBehaviorTriggerSpec)
        Assert.Null(after.LatestMessageJson);
        Assert.Equal(0, after.Frames.Count);
        Assert.Empty(after.Frames.Pending);
        if (command == "AddFrame")
        {
            var job = Assert.Single(encoded);
            Assert.Equal(after.Cycle, job.Cycle);
            Assert.True(job.ForceKeyframe); // each cycle starts on a keyframe
            Assert.Equal(1, after.Frames.InFlight);
        }
        else
        {
            Assert.Empty(encoded);
            Assert.Equal(0, after.Frames.InFlight);
        }
    }

    private static void AssertSameCycle(string command, TaskData before, TaskData after, List<Registrator.Actors.Encoding.EncodeFrame> encoded)
    {
        Assert.Equal(before.Cycle, after.Cycle);
        var statuses = command switch
        {
            "AddStatus" => [.. before.Statuses, true],
            "ClearStatuses" => [],
            _ => before.Statuses.ToArray(),
        };
        Assert.Equal(statuses, after.Statuses.ToArray());
        Assert.Equal(before.Frames.Count, after.Frames.Count);
        if (command == "AddFrame")
        {
            var job = Assert.Single(encoded);
            Assert.Equal(before.Cycle, job.Cycle);
            Assert.Equal(before.Frames.InFlight + 1, after.Frames.InFlight);
        }
        else
        {
            Assert.Empty(encoded);
            Assert.Equal(before.Frames, after.Frames);
        }
    }

    /// <summary>The registration that took the cycle finishes by itself and does not overwrite the new cycle's state.</summary>
    private static void AssertRegistrationCompletesOnItsOwn(BehaviorHarness task, TaskData before, LifecycleColumn next)
    {
        var registration = Assert.Single(before.Registrations);
        var clip = Assert.Single(task.PendingClips);
        task.ClipWritten(clip);
        var record = task.RecordOf(registration.EventId).Event;
        Assert.Null(record.Error);
        Assert.Equal(2, record.Statistics.FrameCount);
        Assert.Equal(registration.Cycle, record.Statistics.Cycle);
        Assert.Equal(next, task.State.Column);
    }

    private static TaskCommandKind KindOf(string command) => command switch
    {
        "CreateTask" => TaskCommandKind.Create,
        "AddStatus" => TaskCommandKind.AddStatus,
        "AddFrame" => TaskCommandKind.AddFrame,
        "ClearStatuses" => TaskCommandKind.ClearStatuses,
        "StopTask" => TaskCommandKind.Stop,
        "RegisterTask" => TaskCommandKind.Register,
        "DeleteTask" => TaskCommandKind.Delete,
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };

    private static object CommandOf(string command, string key) => command switch
    {
        "CreateTask" => new CreateTask(key),
        "AddStatus" => new AddStatus(key, true),
        "AddFrame" => new AddFrame(key, BehaviorHarness.Width, BehaviorHarness.Height, BehaviorHarness.Pixels(), "new-frame"),
        "ClearStatuses" => new ClearStatuses(key),
        "StopTask" => new StopTask(key),
        "RegisterTask" => new RegisterTask(key, "{}"),
        "DeleteTask" => new DeleteTask(key),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };
}
