using System.Globalization;
using Akka.Configuration;

namespace Registrator.Node.Formation;

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

    public FormationMode Mode { get; init; } = FormationMode.Seeds;
    public DiscoveryMethod Discovery { get; init; } = DiscoveryMethod.Config;
    public string ServiceName { get; init; } = "registrator";
    /// <summary>discovery = config: each node's management endpoint, <c>host:port</c> (the port resolved).</summary>
    public IReadOnlyList<string> ContactPoints { get; init; } = [];
    public int RequiredContactPoints { get; init; } = 2;
    public TimeSpan StableMargin { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary><c>null</c> = the host name the node gives the cluster.</summary>
    public string? ManagementHostname { get; init; }
    public int ManagementPort { get; init; } = 8558;
    /// <summary><c>null</c> = the pod's own namespace.</summary>
    public string? KubernetesNamespace { get; init; }
    public string KubernetesLabelSelector { get; init; } = "app={0}";
    public string KubernetesPortName { get; init; } = "management";

    /// <summary>Whether this node joins itself at start: seeds mode without seeds. Bootstrap decides that for itself.</summary>
    public bool JoinsSelf(Config config) =>
        Mode == FormationMode.Seeds && config.GetStringList("akka.cluster.seed-nodes").Count == 0;

    /// <summary>Parses <c>registrator.cluster</c>; a missing section or key takes the documented default.</summary>
    /// <exception cref="ConfigurationException">A value is out of range or contradicts another; the message names the key.</exception>
    public static FormationSettings From(Config config)
    {
        var defaults = new FormationSettings();
        var cluster = config.GetConfig(Root);
        if (cluster is null || cluster.IsEmpty) return defaults;
        var mode = ParseMode(cluster.GetString("formation", "seeds"));
        var bootstrap = cluster.GetConfig("bootstrap") ?? ConfigurationFactory.Empty;
        var discovery = ParseDiscovery(bootstrap.GetString("discovery", "config"));
        // A seeds deployment is never broken by bootstrap keys it does not use.
        if (mode == FormationMode.Seeds) return defaults with { Discovery = discovery };

        if (config.GetStringList("akka.cluster.seed-nodes") is { Count: > 0 } seeds)
            throw new ConfigurationException(
                $"{Root}.formation (REGISTRATOR_FORMATION) = bootstrap needs akka.cluster.seed-nodes (REGISTRATOR_SEEDS) empty: " +
                $"bootstrap forms the cluster, and Akka would otherwise ignore it and join [{string.Join(", ", seeds)}]");
        var managementPort = bootstrap.GetInt("management.port", defaults.ManagementPort);
        if (managementPort is < 1 or > 65535)
            throw new ConfigurationException(
                $"{Root}.bootstrap.management.port (REGISTRATOR_MANAGEMENT_PORT) must be 1..65535 (contact points are found at a fixed port), got {managementPort}");
        var settings = new FormationSettings
        {
            Mode = mode,
            Discovery = discovery,
            ServiceName = Required(bootstrap.GetString("service-name", defaults.ServiceName), "service-name"),
            ContactPoints = bootstrap.GetStringList("contact-points").Select(p => ParseContactPoint(p, managementPort)).ToArray(),
            RequiredContactPoints = bootstrap.GetInt("required-contact-points", defaults.RequiredContactPoints),
            StableMargin = bootstrap.GetTimeSpan("stable-margin", defaults.StableMargin),
            ManagementHostname = bootstrap.GetString("management.hostname", "") is { Length: > 0 } host ? host.Trim() : null,
            ManagementPort = managementPort,
            KubernetesNamespace = bootstrap.GetString("kubernetes.namespace", "") is { Length: > 0 } ns ? ns.Trim() : null,
            KubernetesLabelSelector = Required(bootstrap.GetString("kubernetes.label-selector", defaults.KubernetesLabelSelector), "kubernetes.label-selector"),
            KubernetesPortName = Required(bootstrap.GetString("kubernetes.port-name", defaults.KubernetesPortName), "kubernetes.port-name"),
        };
        if (settings.RequiredContactPoints < 1)
            throw new ConfigurationException(
                $"{Root}.bootstrap.required-contact-points (REGISTRATOR_REQUIRED_CONTACT_POINTS) must be at least 1, got {settings.RequiredContactPoints}");
        try
        {
            _ = string.Format(CultureInfo.InvariantCulture, settings.KubernetesLabelSelector, settings.ServiceName);
        }
        catch (FormatException)
        {
            throw new ConfigurationException(
                $"{Root}.bootstrap.kubernetes.label-selector (REGISTRATOR_K8S_LABEL_SELECTOR) may hold {{0}} (the service name) and no other braces, got \"{settings.KubernetesLabelSelector}\"");
        }
        if (settings.StableMargin <= TimeSpan.Zero)
            throw new ConfigurationException($"{Root}.bootstrap.stable-margin must be positive, got {settings.StableMargin}");
        if (discovery == DiscoveryMethod.Config)
        {
            if (settings.ContactPoints.Count == 0)
                throw new ConfigurationException(
                    $"{Root}.bootstrap.contact-points (REGISTRATOR_CONTACT_POINTS) must list the management endpoints (host:port) of the cluster's nodes when discovery = config");
            // Bootstrap waits for that many answering contact points: more than are listed would never form a cluster.
            if (settings.RequiredContactPoints > settings.ContactPoints.Count)
                throw new ConfigurationException(
                    $"{Root}.bootstrap.required-contact-points (REGISTRATOR_REQUIRED_CONTACT_POINTS) is {settings.RequiredContactPoints}, more than the " +
                    $"{settings.ContactPoints.Count} contact-points listed: the cluster would never form");
        }
        return settings;
    }

    private static FormationMode ParseMode(string value) => value.Trim().ToLowerInvariant() switch
    {
        "seeds" => FormationMode.Seeds,
        "bootstrap" => FormationMode.Bootstrap,
        _ => throw new ConfigurationException($"{Root}.formation (REGISTRATOR_FORMATION) must be seeds or bootstrap, got \"{value}\""),
    };

    private static DiscoveryMethod ParseDiscovery(string value) => value.Trim().ToLowerInvariant() switch
    {
        "config" => DiscoveryMethod.Config,
        "kubernetes" => DiscoveryMethod.Kubernetes,
        _ => throw new ConfigurationException($"{Root}.bootstrap.discovery (REGISTRATOR_DISCOVERY) must be config or kubernetes, got \"{value}\""),
    };

    /// <summary><c>host</c> or <c>host:port</c> (IPv6 in brackets); a bare host means the management port.</summary>
    private static string ParseContactPoint(string value, int managementPort)
    {
        var text = value.Trim();
        if (Uri.TryCreate("http://" + text, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.UserInfo.Length == 0 && !text.Contains('/'))
        {
            var explicitPort = text.EndsWith(']') || !text.Contains(':') ? (int?)null : uri.Port;
            if (explicitPort is not 0)
                return string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{explicitPort ?? managementPort}");
        }
        throw new ConfigurationException(
            $"{Root}.bootstrap.contact-points (REGISTRATOR_CONTACT_POINTS) entries must be host or host:port with a port 1..65535, e.g. \"10.0.0.5:8558\", got \"{value}\"");
    }

    private static string Required(string value, string key) => string.IsNullOrWhiteSpace(value)
        ? throw new ConfigurationException($"{Root}.bootstrap.{key} must not be empty")
        : value.Trim();
}
