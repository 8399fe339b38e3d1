using System.Collections;
using Akka.Actor;
using Akka.Cluster;
using Akka.Discovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registrator.Actors.Configuration;
using Registrator.Node.Formation;
using Registrator.Node.Tests.Support;

namespace Registrator.Node.Tests.Formation;

/// <summary>
/// A node with <c>discovery = kubernetes</c>, as the node process builds it. Kubernetes cannot run here, so an HTTPS
/// server on loopback stands in for the API server the pod's environment names (its certificate the service account's
/// CA): the node must ask it for the pods of the configured namespace and label selector with the service account's
/// token, take the running pods' IPs at the port named "management", and form its cluster through those contact points.
/// </summary>
public sealed class KubernetesDiscoverySpec
{
    [Fact]
    public async Task A_kubernetes_node_lists_its_pods_from_the_API_server_and_forms_the_cluster_through_them()
    {
        using var temp = new TempDirectory();
        var managementPort = TestNode.FreePort();
        var ca = temp.Combine("ca.crt");
        await using var apiServer = await FakeKubernetesApi.StartAsync(ca, PodList(managementPort));
        // Variables of this spec alone, in place of KUBERNETES_SERVICE_HOST/PORT, so no other test sees a Kubernetes.
        var hostVariable = "REGISTRATOR_SPEC_K8S_HOST_" + Guid.NewGuid().ToString("N")[..8];
        var portVariable = "REGISTRATOR_SPEC_K8S_PORT_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(hostVariable, "127.0.0.1");
        Environment.SetEnvironmentVariable(portVariable, apiServer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var token = temp.Combine("token");
        await File.WriteAllTextAsync(token, "spec-token\n");
        var config = RegistratorConfig.Load($$"""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.leader-actions-interval = 100ms
            registrator.http.enabled = off
            registrator.media { output-path = {{Quote(temp.Combine("media"))}}, pool-size = 1 }
            registrator.redis { host = "127.0.0.1", port = {{TestNode.FreePort()}}, connect-timeout = 1s }
            registrator.events.outbox-path = {{Quote(temp.Combine("outbox"))}}
            registrator.nats.servers = ["nats://127.0.0.1:{{TestNode.FreePort()}}"]
            registrator.cluster {
              formation = bootstrap
              bootstrap {
                discovery = kubernetes
                required-contact-points = 1
                stable-margin = 500ms
                management.port = {{managementPort}}
                kubernetes { namespace = "video", label-selector = "app.kubernetes.io/name={0}" }
              }
            }
            # What a pod has from its service account, here from this spec (operator keys win over registrator.cluster's).
            akka.discovery.kubernetes-api {
              api-service-host-env-name = {{Quote(hostVariable)}}
              api-service-port-env-name = {{Quote(portVariable)}}
              api-token-path = {{Quote(token)}}
              api-ca-path = {{Quote(ca)}}
            }
            akka.management.cluster.bootstrap {
              contact-point-discovery.interval = 200ms
              contact-point.probe-interval = 300ms
            }
            """, environment: new Hashtable());
        using var host = NodeHost.Build(config, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var akka = system.Settings.Config;
            Assert.Equal("kubernetes-api", akka.GetString("akka.discovery.method"));
            Assert.Equal("video", akka.GetString("akka.discovery.kubernetes-api.pod-namespace"));
            Assert.Equal("management", akka.GetString("akka.management.cluster.bootstrap.contact-point-discovery.port-name"));
            Assert.Empty(akka.GetStringList("akka.cluster.seed-nodes"));
            var discovery = Assert.IsType<KubernetesPodDiscovery>(Discovery.Get(system).Default);

            // Only the running pod, not being deleted, with a "management" port is a contact point.
            var resolved = await discovery.Lookup(new Lookup("registrator", "management", "tcp"), TimeSpan.FromSeconds(10));
            var target = Assert.Single(resolved.Addresses);
            Assert.Equal(("127.0.0.1", managementPort), (target.Host, target.Port));
            var (path, authorization) = apiServer.Requests.First();
            Assert.Equal("/api/v1/namespaces/video/pods?labelSelector=app.kubernetes.io%2Fname%3Dregistrator", path);
            Assert.Equal("Bearer spec-token", authorization);

            // Bootstrap probes that contact point (this node) and, being the lowest, forms the cluster.
            var cluster = Akka.Cluster.Cluster.Get(system);
            await Poll.UntilAsync(() =>
            {
                Assert.Equal(MemberStatus.Up, cluster.SelfMember.Status);
                return Task.CompletedTask;
            }, TimeSpan.FromSeconds(30));
            Assert.Single(cluster.State.Members);
        }
        finally
        {
            await host.StopAsync();
            Environment.SetEnvironmentVariable(hostVariable, null);
            Environment.SetEnvironmentVariable(portVariable, null);
        }
    }

    /// <summary>A StatefulSet's pods as the API lists them: one usable, one being deleted, one pending, one without the port.</summary>
    private static string PodList(int managementPort) => $$$$"""
        {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[
          {"metadata":{"name":"registrator-0","namespace":"video"},
           "spec":{"containers":[{"name":"registrator","ports":[{"name":"remoting","containerPort":4053},{"name":"management","containerPort":{{{{managementPort}}}}}]}]},
           "status":{"phase":"Running","podIP":"127.0.0.1","containerStatuses":[{"name":"registrator","state":{"running":{}}}]}},
          {"metadata":{"name":"registrator-1","namespace":"video","deletionTimestamp":"2026-01-01T00:00:00Z"},
           "spec":{"containers":[{"name":"registrator","ports":[{"name":"management","containerPort":8558}]}]},
           "status":{"phase":"Running","podIP":"127.0.0.2"}},
          {"metadata":{"name":"registrator-2","namespace":"video"},
           "spec":{"containers":[{"name":"registrator","ports":[{"name":"management","containerPort":8558}]}]},
           "status":{"phase":"Pending"}},
          {"metadata":{"name":"sidecar","namespace":"video"},
           "spec":{"containers":[{"name":"proxy","ports":[{"name":"http","containerPort":80}]}]},
           "status":{"phase":"Running","podIP":"127.0.0.4"}}
        ]}
        """;

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
