using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Registrator.Contracts;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Sharding;

/// <summary>
/// A cluster whose task nodes carry another role than the default (<c>registrator.sharding.role</c>): a node without
/// that role reaches the tasks through a proxy for the configured role, not for the constant "registrator". Both the
/// region and the proxy are started by Akka.Hosting and found in the host's actor registry.
/// </summary>
public sealed class ShardingRoleSpec : IClassFixture<RedisServer>
{
    private const string Roles = "registrator.sharding.role = cams\n";

    private readonly RedisServer _redis;

    public ShardingRoleSpec(RedisServer redis) => _redis = redis;

    [Fact]
    public async Task A_node_without_the_configured_task_role_reaches_tasks_through_its_proxy()
    {
        await using var host = await TestNode.StartAsync(_redis, Roles + "akka.cluster.roles = [\"cams\"]");
        await using var viewer = await StartViewerAsync(host);
        var key = $"role-{Guid.NewGuid():N}";

        var created = await viewer.Region.Ask<TaskReplies.Accepted>(new TaskCommands.CreateTask(key), TimeSpan.FromSeconds(20));
        var snapshot = await host.Region.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask(key), TimeSpan.FromSeconds(20));

        Assert.Equal(TaskState.Created, created.State);
        Assert.Equal(TaskState.Created, snapshot.State);
        Assert.DoesNotContain(RegistratorCluster.Role, Akka.Cluster.Cluster.Get(host.ActorSystem).SelfRoles);
    }

    [Fact]
    public async Task A_node_without_the_task_role_answers_over_http_through_the_proxy_in_its_registry()
    {
        await using var host = await TestNode.StartAsync(_redis, Roles + "akka.cluster.roles = [\"cams\"]");
        await using var viewer = await StartViewerAsync(host);
        var key = $"proxy-{Guid.NewGuid():N}";
        Assert.IsType<TaskReplies.Accepted>(await host.Region.Ask<object>(new TaskCommands.CreateTask(key), TimeSpan.FromSeconds(20)));

        // The viewer hosts no shard: its registry entry is the proxy sharding started, and its HTTP API asks through it.
        var registered = viewer.Host.Services.GetRequiredService<IRequiredActor<TaskRegion>>().ActorRef;
        var task = await viewer.GetJsonAsync("/api/tasks/" + Uri.EscapeDataString(key));

        Assert.Equal(ClusterSharding.Get(viewer.ActorSystem).ShardRegionProxy(RegistratorCluster.TaskTypeName), registered);
        Assert.Equal(RegistratorCluster.TaskTypeName + "Proxy", registered.Path.Name);
        Assert.Equal(key, task.GetProperty("key").GetString());
        Assert.Equal("CREATED", task.GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_registry_holds_the_task_region_once_the_node_has_started()
    {
        await using var node = await TestNode.StartAsync(_redis);

        var registry = node.Host.Services.GetRequiredService<ActorRegistry>();

        Assert.True(registry.TryGet<TaskRegion>(out var region));
        Assert.Equal(ClusterSharding.Get(node.ActorSystem).ShardRegion(RegistratorCluster.TaskTypeName), region);
        Assert.Equal(region, node.Host.Services.GetRequiredService<IRequiredActor<TaskRegion>>().ActorRef);
        // The region itself (sharding names a proxy "taskProxy"), under sharding's guardian.
        Assert.Equal("/system/sharding/" + RegistratorCluster.TaskTypeName, region!.Path.ToStringWithoutAddress());
    }

    private Task<TestNode> StartViewerAsync(TestNode host)
    {
        var seed = Akka.Cluster.Cluster.Get(host.ActorSystem).SelfAddress;
        return TestNode.StartAsync(_redis, Roles + $"akka.cluster.seed-nodes = [\"{seed}\"]\nakka.cluster.roles = [\"viewer\"]", eventsKey: host.EventsKey);
    }
}
