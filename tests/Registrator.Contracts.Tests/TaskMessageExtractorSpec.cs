using Akka.Cluster.Sharding;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;

namespace Registrator.Contracts.Tests;

/// <summary>The shard and entity of a task message, which every node and client must compute alike.</summary>
public sealed class TaskMessageExtractorSpec
{
    private static readonly TaskMessageExtractor Extractor = new(TaskMessageExtractor.DefaultNumberOfShards);

    [Fact]
    public void The_entity_of_a_task_message_is_its_task_key()
    {
        const string key = "cameras/вход №1 🎥";
        ITaskMessage[] messages = [new CreateTask(key), new AddStatus(key, true), new AddFrame(key, 1, 1, [0, 0, 0]), new GetTask(key)];

        Assert.All(messages, message => Assert.Equal(key, Extractor.EntityId(message)));
        Assert.Single(messages.Select(ShardOf).Distinct());
    }

    [Fact]
    public void A_message_that_is_not_a_task_message_has_no_entity()
    {
        Assert.Null(Extractor.EntityId("not a task message"));
    }

    [Fact]
    public void The_shard_depends_on_the_key_alone_whatever_carries_it()
    {
        const string key = "camera-7";
        var shard = ShardOf(new CreateTask(key));

        // The region unwraps envelopes itself and asks with the message as a hint; the hint must not matter.
        Assert.Equal(shard, Extractor.ShardId(key, new ShardingEnvelope(key, new AddStatus(key, false))));
        Assert.Equal(shard, Extractor.ShardId(key, new ShardRegion.StartEntity(key)));
        Assert.Equal(shard, Extractor.ShardId(key));
    }

    [Fact]
    public void Shard_ids_stay_within_the_shard_count_and_spread_over_it()
    {
        var shards = Enumerable.Range(0, 2_000).Select(i => int.Parse(ShardOf(new CreateTask($"camera-{i}")))).ToArray();

        Assert.All(shards, shard => Assert.InRange(shard, 0, TaskMessageExtractor.DefaultNumberOfShards - 1));
        // 2 000 keys over 100 shards: a stable hash leaves no shard empty (a constant or a bad modulo would).
        Assert.Equal(TaskMessageExtractor.DefaultNumberOfShards, shards.Distinct().Count());
    }

    [Theory]
    [InlineData("camera-1", "24")]
    [InlineData("cameras/вход №1 🎥", "89")]
    public void A_key_maps_to_the_same_shard_in_every_process(string key, string expected)
    {
        // Golden values: the shard of a key is part of the cluster's contract (a node computing another one would host a
        // second copy of the task), so a change to the hash is a breaking change this test catches.
        Assert.Equal(expected, ShardOf(new CreateTask(key)));
    }

    /// <summary>The shard a region routes the message to: the entity id first, then the shard of that id.</summary>
    private static string ShardOf(ITaskMessage message) => Extractor.ShardId(Extractor.EntityId(message)!, message);
}
