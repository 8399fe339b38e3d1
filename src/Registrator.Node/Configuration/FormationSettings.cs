using System.Globalization;
using Akka.Configuration;
using Registrator.Actors.Configuration;

namespace Registrator.Node.Configuration;

/// <summary>How a node finds its cluster (<c>registrator.cluster.formation</c>).</summary>
public enum FormationMode
{
    /// <summary>Join <c>akka.cluster.seed-nodes</c>; with none, form a cluster of this node alone.</summary>
    Seeds,

    /// <summary>Akka.Management's Cluster Bootstrap: discover the other nodes and agree on who forms the cluster.</summary>
    Bootstrap,
}

/// <summary>Where Cluster Bootstrap finds the other nodes' management endpoints (<c>registrator.cluster.bootstrap.discovery</c>).</summary>
public enum DiscoveryMethod
{
    /// <summary>A fixed list of <c>host:port</c> in configuration.</summary>
    Config,

    /// <summary>Pods listed by the Kubernetes API.</summary>
    Kubernetes,
}

/// <summary>
/// Cluster formation, from <c>registrator.cluster</c> (keys documented in hocon/registrator.conf; REGISTRATOR_FORMATION,
/// REGISTRATOR_DISCOVERY, REGISTRATOR_CONTACT_POINTS, REGISTRATOR_REQUIRED_CONTACT_POINTS, REGISTRATOR_MANAGEMENT_PORT,
/// REGISTRATOR_K8S_NAMESPACE and REGISTRATOR_K8S_LABEL_SELECTOR override them). Parsed once when the host is built.
/// </summary>
public sealed record FormationSettings
{
    private const string Root = "registrator.cluster";

    public required FormationMode Mode { get; init; }
    public required DiscoveryMethod Discovery { get; init; }
    public required string ServiceName { get; init; }
    /// <summary>discovery = config: each node's management endpoint, <c>host:port</c> (the port resolved); empty in seeds mode.</summary>
    public required IReadOnlyList<string> ContactPoints { get; init; }
    public required int RequiredContactPoints { get; init; }
    public required TimeSpan StableMargin { get; init; }
    /// <summary><c>null</c> = the host name the node gives the cluster.</summary>
    public required string? ManagementHostname { get; init; }
    public required int ManagementPort { get; init; }
    /// <summary><c>null</c> = the pod's own namespace.</summary>
    public required string? KubernetesNamespace { get; init; }
    public required string KubernetesLabelSelector { get; init; }
    public required string KubernetesPortName { get; init; }

    /// <summary>Whether this node joins itself at start: seeds mode without seeds. Bootstrap decides that for itself.</summary>
    public bool JoinsSelf(Config config) =>
        Mode == FormationMode.Seeds && config.GetStringList("akka.cluster.seed-nodes").Count == 0;

    /// <summary>Parses <c>registrator.cluster</c> of a whole configuration (started from <see cref="RegistratorConfig.Load(Config?, System.Collections.IDictionary?)"/>).</summary>
    /// <exception cref="ConfigurationException">A key is missing, out of range or contradicts another; the message names it.</exception>
    public static FormationSettings From(Config config)
    {
        var cluster = SettingsReader.Of(config, Root);
        var bootstrap = cluster.Section("bootstrap");
        var mode = cluster.OneOf("formation", ("seeds", FormationMode.Seeds), ("bootstrap", FormationMode.Bootstrap));
        var discovery = bootstrap.OneOf("discovery", ("config", DiscoveryMethod.Config), ("kubernetes", DiscoveryMethod.Kubernetes));
        var settings = new FormationSettings
        {
            Mode = mode,
            Discovery = discovery,
            ServiceName = bootstrap.String("service-name").Trim(),
            ContactPoints = [],
            RequiredContactPoints = bootstrap.Int("required-contact-points"),
            StableMargin = bootstrap.Duration("stable-margin"),
            ManagementHostname = bootstrap.Optional("management.hostname")?.Trim(),
            ManagementPort = bootstrap.Int("management.port"),
            KubernetesNamespace = bootstrap.Optional("kubernetes.namespace")?.Trim(),
            KubernetesLabelSelector = bootstrap.String("kubernetes.label-selector").Trim(),
            KubernetesPortName = bootstrap.String("kubernetes.port-name").Trim(),
        };
        // A seeds deployment is never broken by bootstrap values it does not use.
        return mode == FormationMode.Seeds ? settings : Bootstrapping(settings, bootstrap, config);
    }

    /// <summary><paramref name="settings"/> in bootstrap mode: every bootstrap rule checked, the contact points resolved.</summary>
    private static FormationSettings Bootstrapping(FormationSettings settings, SettingsReader bootstrap, Config config)
    {
        if (config.GetStringList("akka.cluster.seed-nodes") is { Count: > 0 } seeds)
            throw new ConfigurationException(
                $"{Root}.formation (REGISTRATOR_FORMATION) = bootstrap needs akka.cluster.seed-nodes (REGISTRATOR_SEEDS) empty: " +
                $"bootstrap forms the cluster, and Akka would otherwise ignore it and join [{string.Join(", ", seeds)}]");
        var managementPort = bootstrap.InRange("management.port", settings.ManagementPort, 1, 65535);
        bootstrap.NonEmpty("service-name");
        bootstrap.NonEmpty("kubernetes.label-selector");
        bootstrap.NonEmpty("kubernetes.port-name");
        if (settings.RequiredContactPoints < 1) throw bootstrap.Invalid("required-contact-points", "must be at least 1");
        bootstrap.Positive("stable-margin", settings.StableMargin);
        try
        {
            _ = string.Format(CultureInfo.InvariantCulture, settings.KubernetesLabelSelector, settings.ServiceName);
        }
        catch (FormatException)
        {
            throw bootstrap.Invalid("kubernetes.label-selector", "may hold {0} (the service name) and no other braces");
        }
        var contactPoints = bootstrap.StringList("contact-points").Select(p => ParseContactPoint(bootstrap, p, managementPort)).ToArray();
        if (settings.Discovery == DiscoveryMethod.Config)
        {
            if (contactPoints.Length == 0)
                throw bootstrap.Fail("contact-points", "must list the management endpoints (host:port) of the cluster's nodes when discovery = config");
            // Bootstrap waits for that many answering contact points: more than are listed would never form a cluster.
            if (settings.RequiredContactPoints > contactPoints.Length)
                throw bootstrap.Fail("required-contact-points",
                    $"is {settings.RequiredContactPoints}, more than the {contactPoints.Length} contact-points listed: the cluster would never form");
        }
        return settings with { ContactPoints = contactPoints };
    }

    /// <summary><c>host</c> or <c>host:port</c> (IPv6 in brackets); a bare host means the management port.</summary>
    private static string ParseContactPoint(SettingsReader bootstrap, string value, int managementPort)
    {
        var text = value.Trim();
        if (Uri.TryCreate("http://" + text, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.UserInfo.Length == 0 && !text.Contains('/'))
        {
            var explicitPort = text.EndsWith(']') || !text.Contains(':') ? (int?)null : uri.Port;
            if (explicitPort is not 0)
                return string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{explicitPort ?? managementPort}");
        }
        throw bootstrap.Fail("contact-points", $"entries must be host or host:port with a port 1..65535, e.g. \"10.0.0.5:8558\", got \"{value}\"");
    }
}
