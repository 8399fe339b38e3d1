using Akka.Cluster;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Formation;

/// <summary>
/// Three nodes (each its own actor system, remoting port, management port, HTTP port and TMP_PATH) with Cluster
/// Bootstrap and no seed nodes, discovering each other by configuration (all three management endpoints listed) or by
/// the Kubernetes API (a loopback stand-in listing three pods): whatever order they start in, they form one cluster, and
/// a task registers through it.
/// </summary>
public sealed class ClusterBootstrapSpec : IAsyncLifetime
{
    private static readonly TimeSpan FormPatience = TimeSpan.FromSeconds(60);

    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.StartAsync();

    public Task DisposeAsync() => _redis.DisposeAsync().AsTask();

    [Theory]
    [InlineData(new[] { 0, 1, 2 }, "config")]
    [InlineData(new[] { 2, 0, 1 }, "config")]
    [InlineData(new[] { 1, 2, 0 }, "kubernetes")]
    public async Task Three_nodes_started_in_any_order_form_one_cluster_and_register_a_task(int[] order, string discovery)
    {
        var ports = Enumerable.Range(0, 3).Select(_ => TestNode.FreePort()).ToArray();
        var eventsKey = "events-" + Guid.NewGuid().ToString("N")[..12];
        using var temp = new TempDirectory();
        await using var kubernetes = discovery == "kubernetes" ? await FakeKubernetesApi.StartAsync(temp.Combine("ca.crt"), PodList(ports)) : null;
        var hostVariable = "REGISTRATOR_SPEC_K8S_HOST_" + Guid.NewGuid().ToString("N")[..8];
        var portVariable = "REGISTRATOR_SPEC_K8S_PORT_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(hostVariable, "127.0.0.1");
        Environment.SetEnvironmentVariable(portVariable, kubernetes?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var discoveryHocon = kubernetes is null
            ? $"registrator.cluster.bootstrap.contact-points = [{string.Join(", ", ports.Select(p => $"\"127.0.0.1:{p}\""))}]"
            : $$"""
                registrator.cluster.bootstrap.kubernetes.namespace = "video"
                akka.discovery.kubernetes-api {
                  api-service-host-env-name = "{{hostVariable}}"
                  api-service-port-env-name = "{{portVariable}}"
                  api-ca-path = {{System.Text.Json.JsonSerializer.Serialize(temp.Combine("ca.crt"))}}
                  api-token-path = {{System.Text.Json.JsonSerializer.Serialize(temp.Combine("no-token"))}}
                }
                """;
        var nodes = new TestNode?[3];
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            foreach (var i in order)
            {
                nodes[i] = await TestNode.StartAsync(_redis, Bootstrap(discovery, ports[i]) + "\n" + discoveryHocon, eventsKey: eventsKey, awaitTasks: false);
                // The next node starts once this one's contact point answers, as a rolling deployment's readiness gate would.
                await Poll.UntilAsync(async () =>
                {
                    using var answer = await probe.GetAsync($"http://127.0.0.1:{ports[i]}/bootstrap/seed-nodes");
                    Assert.True(answer.IsSuccessStatusCode, $"node {i}'s contact point answered {(int)answer.StatusCode}");
                }, TimeSpan.FromSeconds(20));
            }
            var started = nodes.Select(n => n!).ToArray();

            // One cluster: every node sees the same three members Up and the same leader.
            await Poll.UntilAsync(() =>
            {
                var views = started.Select(n => Akka.Cluster.Cluster.Get(n.ActorSystem).State).ToArray();
                foreach (var view in views)
                {
                    Assert.Equal(3, view.Members.Count(m => m.Status == MemberStatus.Up));
                    Assert.NotNull(view.Leader);
                }
                Assert.Single(views.Select(v => v.Leader).Distinct());
                Assert.Single(views.Select(v => string.Join(",", v.Members.Select(m => m.Address).OrderBy(a => a.ToString()))).Distinct());
                return Task.CompletedTask;
            }, FormPatience);
            var addresses = started.Select(n => Akka.Cluster.Cluster.Get(n.ActorSystem).SelfAddress).ToHashSet();
            Assert.Equal(addresses, Akka.Cluster.Cluster.Get(started[0].ActorSystem).State.Members.Select(m => m.Address).ToHashSet());

            // Sharding works across the formed cluster: a task registers from the node started last, and the event is
            // read back over HTTP from another node.
            var last = started[order[^1]];
            await last.WaitForTasksAsync();
            var key = "camera-bootstrap-" + Guid.NewGuid().ToString("N")[..6];
            var registered = await last.RegisterAsync(key);
            var reader = started[order[0]];
            await Poll.UntilAsync(async () =>
            {
                var found = await reader.GetJsonAsync($"/api/events/{registered.EventId}");
                Assert.Equal(registered.EventId.ToString(), found.GetProperty("event_id").GetString());
                Assert.Equal(key, found.GetProperty("key").GetString());
            });
        }
        finally
        {
            foreach (var node in nodes.Reverse())
                if (node is not null) await node.DisposeAsync();
            Environment.SetEnvironmentVariable(hostVariable, null);
            Environment.SetEnvironmentVariable(portVariable, null);
        }
        if (kubernetes is not null)
        {
            Assert.NotEmpty(kubernetes.Requests);
            Assert.All(kubernetes.Requests, r => Assert.Equal("/api/v1/namespaces/video/pods?labelSelector=app%3Dregistrator", r.Path));
        }
    }

    /// <summary>Bootstrap of three nodes, with bootstrap's probing intervals short so the spec stays quick.</summary>
    private static string Bootstrap(string discovery, int managementPort) => $$"""
        registrator.cluster {
          formation = bootstrap
          bootstrap {
            discovery = {{discovery}}
            required-contact-points = 3
            stable-margin = 1s
            management.port = {{managementPort}}
          }
        }
        akka.management.cluster.bootstrap {
          contact-point-discovery.interval = 200ms
          contact-point.probe-interval = 300ms
        }
        """;

    /// <summary>Three running pods of the StatefulSet, all on loopback here, each with its management port.</summary>
    private static string PodList(int[] managementPorts) =>
        "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[" + string.Join(",", managementPorts.Select((port, i) => $$$"""
            {"metadata":{"name":"registrator-{{{i}}}","namespace":"video"},
             "spec":{"containers":[{"name":"registrator","ports":[{"name":"management","containerPort":{{{port}}}}]}]},
             "status":{"phase":"Running","podIP":"127.0.0.1"}}
            """)) + "]}";
}
