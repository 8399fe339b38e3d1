using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Nats;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;

namespace Registrator.Actors.Tests.Nats;

/// <summary>
/// The tasks of one results slice answer together: every batch goes to the region in stream order, answers (local or
/// from another node) complete the slice, rejections and silent keys are what it reports.
/// </summary>
public sealed class SliceAnswersSpec() : TestKit(Config)
{
    private const string Config = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.actor {
          serializers.registrator-task-data = "Registrator.Actors.Tasks.TaskDataSerializer, Registrator.Actors"
          serialization-bindings {
            "Registrator.Actors.Tasks.StatusBatch, Registrator.Actors" = registrator-task-data
            "Registrator.Actors.Tasks.StatusBatchAnswer, Registrator.Actors" = registrator-task-data
          }
          serialization-identifiers { "Registrator.Actors.Tasks.TaskDataSerializer, Registrator.Actors" = 4712 }
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private IActorRefProvider Provider => ((ExtendedActorSystem)Sys).Provider;

    private static StatusBatch Batch(string key, int statuses) =>
        new(key, [.. Enumerable.Range(0, statuses).Select(i => new BatchedStatus(i % 2 == 0, $$"""{"key":"{{key}}","n":{{i}}}""", null))]);

    private static StatusBatchAnswer Took(StatusBatch batch) => new(batch.TaskKey, TaskState.Pending, batch.Statuses.Length, 0, null);

    [Fact]
    public async Task Every_batch_reaches_the_region_in_stream_order_and_all_answers_complete_the_slice_with_nothing_to_count()
    {
        var region = CreateTestProbe();
        var batches = new[] { Batch("b", 3), Batch("a", 1), Batch("c", 2) };
        var allAnswered = 0;

        var slice = SliceAnswers.Deliver(region, Provider, batches, Patience, CancellationToken.None, () => allAnswered++);

        foreach (var expected in batches)
        {
            Assert.Equal(0, allAnswered);
            var envelope = region.ExpectMsg<ShardingEnvelope>();
            Assert.Equal(expected.TaskKey, envelope.EntityId);
            Assert.Same(expected, envelope.Message);
            region.LastSender.Tell(Took(expected));
        }
        Assert.Empty(await slice.WaitAsync(Patience));
        Assert.Equal(1, allAnswered);
    }

    [Fact]
    public async Task A_rejection_counts_the_statuses_the_task_rejected_with_its_reason()
    {
        var region = CreateTestProbe();
        var batch = Batch("cam", 5);

        var slice = SliceAnswers.Deliver(region, Provider, [batch], Patience, CancellationToken.None);
        region.ExpectMsg<ShardingEnvelope>();
        region.LastSender.Tell(new StatusBatchAnswer("cam", TaskState.Done, 2, 3, "task is registering"));

        var bad = Assert.Single(await slice.WaitAsync(Patience));
        Assert.Equal(BadInputReason.TaskRejected, bad.Reason);
        Assert.Equal(3, bad.Count);
        Assert.Contains("3 of 5 statuses rejected", bad.Detail);
        Assert.Contains("task is registering", bad.Detail);
    }

    [Fact]
    public async Task A_task_silent_past_the_timeout_counts_its_statuses_as_timed_out_and_its_late_answer_is_ignored()
    {
        var region = CreateTestProbe();
        var (answered, silent) = (Batch("answered", 2), Batch("silent", 4));

        var allAnswered = false;

        var slice = SliceAnswers.Deliver(region, Provider, [answered, silent], TimeSpan.FromMilliseconds(300), CancellationToken.None,
            () => allAnswered = true);
        region.ExpectMsg<ShardingEnvelope>();
        region.LastSender.Tell(Took(answered));
        region.ExpectMsg<ShardingEnvelope>();
        var late = region.LastSender;

        var bad = Assert.Single(await slice.WaitAsync(Patience));
        Assert.Equal(BadInputReason.TaskTimeout, bad.Reason);
        Assert.Equal(4, bad.Count);
        Assert.StartsWith("[silent]", bad.Detail);
        // The silent task may still be reading its batch: the slice does not say it is done with the messages.
        Assert.False(allAnswered);
        // The slice's reference is gone from the temp path: the late answer is a dead letter, not a crash.
        late.Tell(Took(silent));
    }

    [Fact]
    public async Task Cancelled_the_slice_ends_at_once_and_counts_no_silence()
    {
        var region = CreateTestProbe();
        using var stopping = new CancellationTokenSource();

        var allAnswered = false;

        var slice = SliceAnswers.Deliver(region, Provider, [Batch("cam", 1)], Patience, stopping.Token, () => allAnswered = true);
        region.ExpectMsg<ShardingEnvelope>();
        await stopping.CancelAsync();

        Assert.Empty(await slice.WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.False(allAnswered);
    }

    [Fact]
    public async Task Answers_from_a_task_on_another_node_reach_the_slice_through_its_temp_path()
    {
        var other = ActorSystem.Create("other", ConfigurationFactory.ParseString(Config));
        try
        {
            var remoteTask = other.ActorOf(Props.Create(() => new AnsweringTask()), "task");
            var address = ((ExtendedActorSystem)other).Provider.DefaultAddress;
            var remote = await Sys.ActorSelection(new RootActorPath(address) / "user" / "task").ResolveOne(Patience);
            var region = Sys.ActorOf(Props.Create(() => new ForwardingRegion(remote)));
            var batches = new[] { Batch("x", 2), Batch("y", 3) };

            var slice = SliceAnswers.Deliver(region, Provider, batches, Patience, CancellationToken.None);

            Assert.Empty(await slice.WaitAsync(Patience));
        }
        finally
        {
            await other.Terminate();
        }
    }

    /// <summary>Stands in for the region: unwraps the envelope and forwards the batch, sender kept, to the task elsewhere.</summary>
    private sealed class ForwardingRegion : ReceiveActor
    {
        public ForwardingRegion(IActorRef task) => Receive<ShardingEnvelope>(envelope => task.Forward(envelope.Message));
    }

    /// <summary>A task on the other node: takes every status of a batch, as the real one answers.</summary>
    private sealed class AnsweringTask : ReceiveActor
    {
        public AnsweringTask() => Receive<StatusBatch>(batch => Sender.Tell(Took(batch)));
    }
}
