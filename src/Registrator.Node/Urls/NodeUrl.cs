using System.Net;
using Registrator.Node.Http;

namespace Registrator.Node.Urls;

/// <summary>
/// This node's HTTP base URL as other nodes reach it (<c>http://&lt;host&gt;:&lt;port&gt;</c>, no trailing slash): the
/// <c>node</c> field of each event it records, and the address other nodes proxy its clips and keyframes from.
/// <c>registrator.http.public-url</c> when set; otherwise derived from where the server listens, with an unspecified
/// address (<c>0.0.0.0</c>, <c>[::]</c>) replaced by the host name the node gives the cluster (REGISTRATOR_HOSTNAME).
/// </summary>
internal static class NodeUrl
{
    /// <summary>
    /// The URL for a server listening on <paramref name="listening"/> (e.g. <c>http://0.0.0.0:8080/</c>, as Kestrel
    /// reports it once started); <paramref name="clusterHost"/> stands in for an unspecified address.
    /// </summary>
    public static string Derive(Uri listening, string? clusterHost)
    {
        var host = listening.Host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
            host = Reachable(clusterHost);
        var builder = new UriBuilder(listening.Scheme, host, listening.Port);
        return builder.Uri.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>The URL before the server started, when the listen address fixes it (not port 0); else <c>null</c>.</summary>
    public static string? FromListen(ListenAddress listen, string? clusterHost)
    {
        if (listen.Port == 0) return null;
        var host = listen.Address switch
        {
            null => "localhost",
            { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 => $"[{v6}]",
            var v4 => v4.ToString(),
        };
        return Derive(new Uri($"http://{host}:{listen.Port}"), clusterHost);
    }

    /// <summary>True when <paramref name="url"/> is an absolute http(s) URL a proxied request may go to.</summary>
    public static bool IsUsable(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;

    private static string Reachable(string? clusterHost)
    {
        var host = clusterHost?.Trim();
        if (string.IsNullOrEmpty(host) || IPAddress.TryParse(host, out var a) && (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any)))
            return Dns.GetHostName();
        return host;
    }
}
