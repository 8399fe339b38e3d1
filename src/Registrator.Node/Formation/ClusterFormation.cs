using System.Text;
using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Discovery;
using Akka.Hosting;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Dsl;
using Registrator.Node.Configuration;

namespace Registrator.Node.Formation;

/// <summary>
/// Turns <see cref="FormationSettings"/> into the Akka.Management / Akka.Discovery configuration and start-up of a node.
/// Seeds mode adds nothing (Akka's own seed-node join). Bootstrap mode serves the node's contact point (the HTTP endpoint
/// the other nodes probe, <see cref="ContactPointEndpoint"/>) and starts Cluster Bootstrap, which joins the cluster the
/// contact points report or, when there is none yet, lets the node with the lowest contact point form it.
/// </summary>
public static class ClusterFormation
{
    /// <summary>Akka's name of the Kubernetes API discovery method (<c>akka.discovery.kubernetes-api</c>).</summary>
    public const string KubernetesMethod = "kubernetes-api";

    /// <summary>Akka's name of the configuration discovery method (<c>akka.discovery.config</c>).</summary>
    public const string ConfigMethod = "config";

    /// <summary>
    /// The akka.management / akka.discovery keys <paramref name="settings"/> stand for; empty in seeds mode.
    /// <paramref name="clusterHost"/> is the host name the node gives the cluster, used when no management host is set.
    /// </summary>
    /// <exception cref="ConfigurationException">Bootstrap with neither a management host nor a cluster host name.</exception>
    public static Config Hocon(FormationSettings settings, string? clusterHost)
    {
        if (settings.Mode == FormationMode.Seeds) return ConfigurationFactory.Empty;
        var host = settings.ManagementHostname ?? (string.IsNullOrWhiteSpace(clusterHost) ? null : clusterHost)
            ?? throw new ConfigurationException(
                "registrator.cluster.bootstrap.management.hostname is empty and so is the node's cluster host name (REGISTRATOR_HOSTNAME): other nodes could not reach its contact point");
        var hocon = new StringBuilder();
        hocon.Append($$"""
            akka.management.http {
              hostname = {{Quote(host)}}
              port = {{settings.ManagementPort}}
            }
            akka.management.cluster.bootstrap {
              contact-point-discovery {
                service-name = {{Quote(settings.ServiceName)}}
                required-contact-point-nr = {{settings.RequiredContactPoints}}
                stable-margin = {{(long)settings.StableMargin.TotalMilliseconds}}ms
                discovery-method = akka.discovery
              }
              contact-point.fallback-port = {{settings.ManagementPort}}
            }

            """);
        switch (settings.Discovery)
        {
            case DiscoveryMethod.Config:
                // Several nodes may share a host (different ports): without this, bootstrap keeps only the endpoint
                // at its own fallback port of each host and would never see its neighbours.
                hocon.Append($$"""
                    akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port = false
                    akka.discovery.method = {{ConfigMethod}}
                    akka.discovery.config.services.{{Quote(settings.ServiceName)}}.endpoints = [{{string.Join(", ", settings.ContactPoints.Select(Quote))}}]

                    """);
                break;
            case DiscoveryMethod.Kubernetes:
                // A pod lists several container ports: the named one is the management endpoint.
                hocon.Append($$"""
                    akka.management.cluster.bootstrap.contact-point-discovery.port-name = {{Quote(settings.KubernetesPortName)}}
                    akka.discovery.method = {{KubernetesMethod}}
                    akka.discovery.{{KubernetesMethod}} {
                      pod-label-selector = {{Quote(settings.KubernetesLabelSelector)}}
                      {{(settings.KubernetesNamespace is { } ns ? "pod-namespace = " + Quote(ns) : "")}}
                    }

                    """);
                break;
        }
        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    /// <summary>
    /// Adds bootstrap's configuration and start-up to the node's Akka.Hosting builder. Call it before the node's own
    /// HOCON is added (Prepend): any akka.management.* or akka.discovery.* key the operator set then wins over ours.
    /// </summary>
    public static AkkaConfigurationBuilder AddClusterFormation(this AkkaConfigurationBuilder akka, FormationSettings settings, string? clusterHost)
    {
        if (settings.Mode == FormationMode.Seeds) return akka;
        akka.AddHocon(Hocon(settings, clusterHost), HoconAddMode.Prepend);
        // The modules' reference settings, below everything else (as their own Akka.Hosting extensions add them).
        akka.AddHocon(ClusterBootstrap.DefaultConfiguration(), HoconAddMode.Append);
        akka.AddHocon(DiscoveryProvider.DefaultConfiguration(), HoconAddMode.Append);
        if (settings.Discovery == DiscoveryMethod.Kubernetes)
            akka.AddHocon(KubernetesPodDiscovery.DefaultConfiguration(), HoconAddMode.Append);
        // After the node's actors: the contact point answers only once the node can take part. A contact point that
        // cannot be bound fails the host's start.
        akka.AddStartup(async (system, _) =>
        {
            var endpoint = await ContactPointEndpoint.StartAsync(system);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-bootstrap-contact-point", async () =>
            {
                await endpoint.DisposeAsync();
                return Done.Instance;
            });
            var bootstrap = ClusterBootstrap.Get(system);
            // What Akka.Management does when it binds: tells bootstrap its own contact point (Start waits for it).
            bootstrap.Routes(ManagementRouteProviderSettings.Create(endpoint.BaseUri, readOnly: true));
            await bootstrap.Start();
        });
        return akka;
    }

    /// <summary>A HOCON quoted string: JSON string escaping is valid HOCON.</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
