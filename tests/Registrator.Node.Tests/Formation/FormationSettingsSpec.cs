using System.Collections;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Node.Configuration;
using Registrator.Node.Formation;

namespace Registrator.Node.Tests.Formation;

/// <summary>
/// <c>registrator.cluster</c> and its environment variables, and the akka.management / akka.discovery configuration they
/// become (what Cluster Bootstrap then reads). Kubernetes cannot run here: its spec asserts the configuration used.
/// </summary>
public sealed class FormationSettingsSpec
{
    [Fact]
    public void By_default_a_node_joins_its_seeds_or_itself_and_adds_no_management_configuration()
    {
        var config = RegistratorConfig.Load(environment: new Hashtable());
        var settings = FormationSettings.From(config);

        Assert.Equal(FormationMode.Seeds, settings.Mode);
        Assert.True(settings.JoinsSelf(config));
        Assert.False(settings.JoinsSelf(ConfigurationFactory.ParseString("akka.cluster.seed-nodes = [\"akka.tcp://registrator@10.0.0.5:4053\"]")));
        Assert.True(ClusterFormation.Hocon(settings, "127.0.0.1").IsEmpty);
    }

    [Fact]
    public void Config_discovery_lists_the_contact_points_and_never_joins_itself()
    {
        var config = RegistratorConfig.Load(environment: new Hashtable
        {
            ["REGISTRATOR_FORMATION"] = "bootstrap",
            ["REGISTRATOR_DISCOVERY"] = "config",
            ["REGISTRATOR_CONTACT_POINTS"] = "10.0.0.5:8558, 10.0.0.6, [fd00::7]:9000",
            ["REGISTRATOR_REQUIRED_CONTACT_POINTS"] = "3",
            ["REGISTRATOR_MANAGEMENT_PORT"] = "8600",
            ["REGISTRATOR_HOSTNAME"] = "10.0.0.5",
        });
        var settings = FormationSettings.From(config);

        Assert.Equal(FormationMode.Bootstrap, settings.Mode);
        Assert.False(settings.JoinsSelf(config));
        // A bare host means the management port.
        Assert.Equal(["10.0.0.5:8558", "10.0.0.6:8600", "[fd00::7]:9000"], settings.ContactPoints);

        var akka = ClusterFormation.Hocon(settings, "10.0.0.5");
        Assert.Equal("config", akka.GetString("akka.discovery.method"));
        Assert.Equal(["10.0.0.5:8558", "10.0.0.6:8600", "[fd00::7]:9000"], akka.GetStringList("akka.discovery.config.services.registrator.endpoints"));
        Assert.Equal("registrator", akka.GetString("akka.management.cluster.bootstrap.contact-point-discovery.service-name"));
        Assert.Equal(3, akka.GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        Assert.Equal(TimeSpan.FromSeconds(5), akka.GetTimeSpan("akka.management.cluster.bootstrap.contact-point-discovery.stable-margin"));
        Assert.False(akka.GetBoolean("akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port"));
        Assert.Equal("10.0.0.5", akka.GetString("akka.management.http.hostname"));
        Assert.Equal(8600, akka.GetInt("akka.management.http.port"));
    }

    [Fact]
    public void Kubernetes_discovery_selects_the_Kubernetes_API_method_with_the_namespace_and_label_selector()
    {
        var config = RegistratorConfig.Load("""
            registrator.cluster {
              formation = bootstrap
              bootstrap {
                discovery = kubernetes
                required-contact-points = 3
                kubernetes { namespace = "video", label-selector = "app.kubernetes.io/name={0}" }
              }
            }
            """, environment: new Hashtable { ["REGISTRATOR_HOSTNAME"] = "10.244.1.17" });
        var settings = FormationSettings.From(config);

        var akka = ClusterFormation.Hocon(settings, "10.244.1.17");
        Assert.Equal(ClusterFormation.KubernetesMethod, akka.GetString("akka.discovery.method"));
        Assert.Equal("video", akka.GetString("akka.discovery.kubernetes-api.pod-namespace"));
        Assert.Equal("app.kubernetes.io/name={0}", akka.GetString("akka.discovery.kubernetes-api.pod-label-selector"));
        Assert.Equal("management", akka.GetString("akka.management.cluster.bootstrap.contact-point-discovery.port-name"));
        Assert.Equal(3, akka.GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        Assert.Equal("10.244.1.17", akka.GetString("akka.management.http.hostname"));
        Assert.Equal(8558, akka.GetInt("akka.management.http.port"));
        Assert.False(akka.HasPath("akka.discovery.config.services"));
    }

    [Fact]
    public void Kubernetes_namespace_and_label_selector_come_from_the_environment_and_an_empty_namespace_is_the_pods_own()
    {
        var environment = new Hashtable
        {
            ["REGISTRATOR_FORMATION"] = "bootstrap",
            ["REGISTRATOR_DISCOVERY"] = "kubernetes",
            ["REGISTRATOR_K8S_LABEL_SELECTOR"] = "role=registrator",
        };
        var own = ClusterFormation.Hocon(FormationSettings.From(RegistratorConfig.Load(environment: environment)), "10.244.1.17");
        // Left unset, the plugin reads the pod's namespace from its service account.
        Assert.False(own.HasPath("akka.discovery.kubernetes-api.pod-namespace"));
        Assert.Equal("role=registrator", own.GetString("akka.discovery.kubernetes-api.pod-label-selector"));

        environment["REGISTRATOR_K8S_NAMESPACE"] = "cameras";
        var named = ClusterFormation.Hocon(FormationSettings.From(RegistratorConfig.Load(environment: environment)), "10.244.1.17");
        Assert.Equal("cameras", named.GetString("akka.discovery.kubernetes-api.pod-namespace"));
    }

    [Theory]
    [InlineData("formation = gossip", "registrator.cluster.formation (REGISTRATOR_FORMATION) must be seeds or bootstrap, got \"gossip\"")]
    [InlineData("bootstrap.discovery = dns", "registrator.cluster.bootstrap.discovery (REGISTRATOR_DISCOVERY) must be config or kubernetes, got \"dns\"")]
    [InlineData("formation = bootstrap", "registrator.cluster.bootstrap.contact-points (REGISTRATOR_CONTACT_POINTS) must list")]
    [InlineData("formation = bootstrap, bootstrap.contact-points = [\"a:1\"]", "registrator.cluster.bootstrap.required-contact-points (REGISTRATOR_REQUIRED_CONTACT_POINTS) is 2, more than the 1 contact-points listed")]
    [InlineData("formation = bootstrap, bootstrap.contact-points = [\"a:0\", \"b:1\"]", "registrator.cluster.bootstrap.contact-points (REGISTRATOR_CONTACT_POINTS) entries must be host or host:port")]
    [InlineData("formation = bootstrap, bootstrap.contact-points = [\"http://a:1/x\", \"b:1\"]", "registrator.cluster.bootstrap.contact-points (REGISTRATOR_CONTACT_POINTS) entries must be host or host:port")]
    [InlineData("formation = bootstrap, bootstrap { discovery = kubernetes, management.port = 0 }", "registrator.cluster.bootstrap.management.port (REGISTRATOR_MANAGEMENT_PORT) must be 1..65535")]
    [InlineData("formation = bootstrap, bootstrap { discovery = kubernetes, required-contact-points = 0 }", "registrator.cluster.bootstrap.required-contact-points (REGISTRATOR_REQUIRED_CONTACT_POINTS) must be at least 1")]
    [InlineData("formation = bootstrap, bootstrap { discovery = kubernetes, kubernetes.label-selector = \"\" }", "registrator.cluster.bootstrap.kubernetes.label-selector (REGISTRATOR_K8S_LABEL_SELECTOR) must not be empty")]
    [InlineData("formation = bootstrap, bootstrap { discovery = kubernetes, kubernetes.label-selector = \"app={1}\" }", "registrator.cluster.bootstrap.kubernetes.label-selector (REGISTRATOR_K8S_LABEL_SELECTOR) may hold {0}")]
    public void A_bad_value_is_a_clear_error_naming_the_key(string cluster, string message)
    {
        var config = RegistratorConfig.Load($"registrator.cluster {{ {cluster} }}", environment: new Hashtable());

        var error = Assert.Throws<ConfigurationException>(() => FormationSettings.From(config));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Bootstrap_with_seed_nodes_is_refused_since_Akka_would_silently_skip_bootstrap()
    {
        var config = RegistratorConfig.Load("registrator.cluster { formation = bootstrap, bootstrap.discovery = kubernetes }", environment: new Hashtable
        {
            ["REGISTRATOR_SEEDS"] = "akka.tcp://registrator@10.0.0.5:4053",
        });

        var error = Assert.Throws<ConfigurationException>(() => FormationSettings.From(config));
        Assert.Contains("akka.cluster.seed-nodes (REGISTRATOR_SEEDS) empty", error.Message);
    }

    [Fact]
    public void A_bad_value_stops_the_node_before_it_starts()
    {
        var config = RegistratorConfig.Load("registrator.cluster.formation = bootstrap", environment: new Hashtable());

        var error = Assert.Throws<ConfigurationException>(() => NodeHost.Build(config));
        Assert.Contains("registrator.cluster.bootstrap.contact-points", error.Message);
    }
}
