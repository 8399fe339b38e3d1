using Akka.Actor;
using Registrator.Contracts;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Sharding;

/// <summary>
/// A cluster whose task nodes carry another role than the default (<c>registrator.sharding.role</c>): a node without
/// that role reaches the tasks through a proxy for the configured role, not for the constant "registrator".
/// </summary>
public sealed class ShardingRoleSpec : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;

    public ShardingRoleSpec(RedisServer redis) => _redis = redis;

    [Fact]
    public async Task A_node_without_the_configured_task_role_reaches_tasks_through_its_proxy()
    {
        const string roles = "registrator.sharding.role = cams\n";
        await using var host = await TestNode.StartAsync(_redis, roles + "akka.cluster.roles = [\"cams\"]");
        var seed = Akka.Cluster.Cluster.Get(host.ActorSystem).SelfAddress;
        await using var viewer = await TestNode.StartAsync(_redis,
            roles + $"akka.cluster.seed-nodes = [\"{seed}\"]\nakka.cluster.roles = [\"viewer\"]", eventsKey: host.EventsKey);
        var key = $"role-{Guid.NewGuid():N}";

        var created = await viewer.Region.Ask<TaskReplies.Accepted>(new TaskCommands.CreateTask(key), TimeSpan.FromSeconds(20));
        var snapshot = await host.Region.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask(key), TimeSpan.FromSeconds(20));

        Assert.Equal(TaskState.Created, created.State);
        Assert.Equal(TaskState.Created, snapshot.State);
        Assert.DoesNotContain(RegistratorCluster.Role, Akka.Cluster.Cluster.Get(host.ActorSystem).SelfRoles);
    }
}
