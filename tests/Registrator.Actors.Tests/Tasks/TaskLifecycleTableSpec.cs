using Registrator.Actors.Encoding;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>Every cell of DESIGN.md's lifecycle table, through the shard region of a real single-node cluster.</summary>
public sealed class TaskLifecycleTableSpec(ITestOutputHelper output) : ShardedTaskSpec(output)
{
    private const TaskState Rejected = (TaskState)(-1);
    private const TaskState Encode = (TaskState)(-2);
    private const TaskState Stopped = (TaskState)(-3);

    /// <summary>Rows: command; columns: (none), CREATED, PENDING, DONE, FINISHED, ERROR — as in DESIGN.md.</summary>
    private static readonly (string Command, TaskState[] Outcomes)[] Table =
    [
        ("CreateTask",    [TaskState.Created, TaskState.Created, TaskState.Pending, Rejected, TaskState.Created, TaskState.Created]),
        ("AddStatus",     [TaskState.Pending, TaskState.Pending, TaskState.Pending, Rejected, TaskState.Pending, TaskState.Pending]),
        ("AddFrame",      [TaskState.Created, TaskState.Created, TaskState.Pending, Rejected, TaskState.Created, TaskState.Created]),
        ("ClearStatuses", [TaskState.None, TaskState.Created, TaskState.Pending, TaskState.Done, TaskState.Finished, TaskState.Error]),
        ("StopTask",      [Rejected, TaskState.Done, TaskState.Done, TaskState.Done, TaskState.Finished, TaskState.Error]),
        ("RegisterTask",  [Encode, Encode, Encode, Encode, Rejected, Rejected]),
        ("DeleteTask",    [Stopped, Stopped, Stopped, Stopped, Stopped, Stopped]),
    ];

    private static readonly TaskState[] Columns =
        [TaskState.None, TaskState.Created, TaskState.Pending, TaskState.Done, TaskState.Finished, TaskState.Error];

    public static IEnumerable<object[]> Cells() =>
        from row in Table
        from column in Enumerable.Range(0, Columns.Length)
        select new object[] { row.Command, Columns[column], row.Outcomes[column] };

    /// <summary>35 cells: 7 commands × 5 columns, the FINISHED / ERROR column tested once for each of the two states.</summary>
    [Fact]
    public void The_table_covers_7_commands_in_every_state() => Assert.Equal(7 * 6, Cells().Count());

    [Theory]
    [MemberData(nameof(Cells))]
    public void Command_in_state_has_the_outcome_of_the_table(string command, TaskState from, TaskState outcome)
    {
        var key = NewKey();
        BringTo(key, from);
        var before = Snapshot(key);

        if (outcome == Encode)
        {
            var (job, registered) = Register(key);
            Assert.Equal(key, job.TaskKey);
            Assert.Equal(job.EventId, registered.EventId);
            Assert.NotNull(registered.VideoPath);
            Assert.Equal(TaskState.Finished, Snapshot(key).State);
            return;
        }

        Region.Tell(Command(command, key), TestActor);
        var reply = ExpectMsg<object>();
        var after = Snapshot(key);
        switch (outcome)
        {
            case Rejected:
                var rejected = Assert.IsType<TaskReplies.Rejected>(reply);
                Assert.Equal(from, rejected.State);
                Assert.False(string.IsNullOrWhiteSpace(rejected.Reason));
                Assert.Equal(from, after.State);
                Assert.Equal(before.Statuses.ToArray(), after.Statuses.ToArray());
                Assert.Equal(before.FrameCount, after.FrameCount);
                Assert.Equal(before.RejectedCommands + 1, after.RejectedCommands);
                break;
            case Stopped:
                Assert.Equal(new Accepted(key, TaskState.None), reply);
                // The entity stopped: the next message meets a fresh task.
                AwaitAssert(() =>
                {
                    var fresh = Snapshot(key);
                    Assert.Equal(TaskState.None, fresh.State);
                    Assert.Equal(0, fresh.Cycle);
                    Assert.Empty(fresh.Statuses);
                    Assert.Equal(0, fresh.RejectedCommands);
                });
                break;
            default:
                Assert.Equal(new Accepted(key, outcome), reply);
                Assert.Equal(outcome, after.State);
                var newCycle = from is TaskState.Finished or TaskState.Error && command is "CreateTask" or "AddStatus" or "AddFrame";
                Assert.Equal(before.Cycle + (newCycle ? 1 : 0), after.Cycle);
                break;
        }
        Encoder.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    private static object Command(string command, string key) => command switch
    {
        "CreateTask" => new CreateTask(key),
        "AddStatus" => new AddStatus(key, true),
        "AddFrame" => Frame(key),
        "ClearStatuses" => new ClearStatuses(key),
        "StopTask" => new StopTask(key),
        "RegisterTask" => new RegisterTask(key, "{}"),
        "DeleteTask" => new DeleteTask(key),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };
}
