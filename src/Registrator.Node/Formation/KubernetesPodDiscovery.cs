using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Configuration;
using Akka.Discovery;
using Akka.Event;

namespace Registrator.Node.Formation;

/// <summary>
/// Akka.Discovery's <c>kubernetes-api</c> method for Cluster Bootstrap: asks the Kubernetes API server the pod runs under
/// (<c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c>, the service account's token and CA) for the pods of a namespace matching a
/// label selector, and answers their IPs at the named container port (<see cref="KubernetesPodList"/>). Its keys are
/// those of Akka's own plugin (<c>akka.discovery.kubernetes-api</c>). Ours because Akka.Discovery.KubernetesApi 1.5.73 is
/// built against KubernetesClient 17, which the registry does not serve: with 19.0.2 its lookup fails with
/// MissingMethodException (the <c>V1PodList</c> constructor is gone), so it can never find a pod.
/// </summary>
public sealed class KubernetesPodDiscovery : ServiceDiscovery, IDisposable
{
    /// <summary>The plugin's configuration path.</summary>
    public const string Path = "akka.discovery." + ClusterFormation.KubernetesMethod;

    /// <summary>This plugin's defaults: a pod's service-account mount, as Akka's plugin has them.</summary>
    public static Config DefaultConfiguration() => ConfigurationFactory.ParseString($$"""
        {{Path}} {
          class = "{{typeof(KubernetesPodDiscovery).FullName}}, {{typeof(KubernetesPodDiscovery).Assembly.GetName().Name}}"
          api-ca-path = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
          api-token-path = "/var/run/secrets/kubernetes.io/serviceaccount/token"
          api-service-host-env-name = "KUBERNETES_SERVICE_HOST"
          api-service-port-env-name = "KUBERNETES_SERVICE_PORT"
          pod-namespace-path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
          pod-namespace = ""
          pod-label-selector = "app={0}"
          container-name = ""
        }
        """);

    private readonly ILoggingAdapter _log;
    private readonly HttpClient _http;
    private readonly string _tokenPath;
    private readonly string _hostVariable;
    private readonly string _portVariable;
    private readonly string _namespace;
    private readonly string _labelSelector;
    private readonly string? _containerName;

    /// <summary>Called by Akka.Discovery with the plugin's section.</summary>
    public KubernetesPodDiscovery(ExtendedActorSystem system, Config config)
    {
        _log = Logging.GetLogger(system, this);
        var section = config.WithFallback(DefaultConfiguration().GetConfig(Path));
        _tokenPath = section.GetString("api-token-path");
        _hostVariable = section.GetString("api-service-host-env-name");
        _portVariable = section.GetString("api-service-port-env-name");
        _labelSelector = section.GetString("pod-label-selector");
        _containerName = section.GetString("container-name") is { Length: > 0 } container ? container : null;
        _namespace = section.GetString("pod-namespace") is { Length: > 0 } ns && ns != "<pod-namespace>"
            ? ns
            : ReadTrimmed(section.GetString("pod-namespace-path")) ?? "default";
        var authority = LoadAuthority(section.GetString("api-ca-path"));
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors, authority),
            },
        });
    }

    /// <summary>Called by Akka.Discovery when the configuration gives no section of its own.</summary>
    public KubernetesPodDiscovery(ExtendedActorSystem system) : this(system, system.Settings.Config.GetConfig(Path) ?? ConfigurationFactory.Empty)
    {
    }

    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        var host = Environment.GetEnvironmentVariable(_hostVariable);
        var port = Environment.GetEnvironmentVariable(_portVariable);
        if (string.IsNullOrWhiteSpace(host) || string.IsNullOrWhiteSpace(port))
            throw new InvalidOperationException($"{_hostVariable} and {_portVariable} name no Kubernetes API server: is this node running in a pod?");
        var selector = string.Format(CultureInfo.InvariantCulture, _labelSelector, lookup.ServiceName);
        var url = new UriBuilder("https", host, int.Parse(port, CultureInfo.InvariantCulture),
            $"/api/v1/namespaces/{Uri.EscapeDataString(_namespace)}/pods") { Query = "labelSelector=" + Uri.EscapeDataString(selector) }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        // Read on every lookup: projected service-account tokens are rotated in place.
        if (ReadTrimmed(_tokenPath) is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var timeout = new CancellationTokenSource(resolveTimeout);
        using var response = await _http.SendAsync(request, timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException(
                $"the Kubernetes API answered {(int)response.StatusCode} to {url}" +
                (response.StatusCode == System.Net.HttpStatusCode.Forbidden ? " (the pod's service account needs get/watch/list on pods)" : "") +
                $": {body[..Math.Min(body.Length, 300)]}");
        var targets = KubernetesPodList.Targets(body, lookup.PortName, _containerName);
        if (_log.IsDebugEnabled)
            _log.Debug("Kubernetes pods [{0}] in namespace [{1}] at port [{2}]: [{3}]", selector, _namespace, lookup.PortName, string.Join(", ", targets));
        return new Resolved(lookup.ServiceName, targets);
    }

    public void Dispose() => _http.Dispose();

    private static string? ReadTrimmed(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } text ? text : null;

    /// <summary>The service account's CA, or <c>null</c> (then the system's trust store decides).</summary>
    private static X509Certificate2Collection? LoadAuthority(string path)
    {
        if (!File.Exists(path)) return null;
        var authority = new X509Certificate2Collection();
        authority.ImportFromPemFile(path);
        return authority;
    }

    /// <summary>The API server's certificate must chain to the service account's CA (or the system's) and name its host.</summary>
    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? authority)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (authority is null || certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
