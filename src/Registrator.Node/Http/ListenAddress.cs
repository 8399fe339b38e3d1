using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Registrator.Node.Http;

/// <summary>
/// Where the HTTP server listens (<c>registrator.http.listen</c>, REGISTRATOR_HTTP): an IP address and port, or
/// <c>localhost</c> and port (both loopback interfaces). Host names other than localhost are refused rather than
/// resolved, so what the node binds to is exactly what the operator wrote.
/// </summary>
public sealed record ListenAddress
{
    private ListenAddress(IPAddress? address, int port)
    {
        Address = address;
        Port = port;
    }

    /// <summary><c>null</c> = localhost (IPv4 and IPv6 loopback).</summary>
    public IPAddress? Address { get; }

    /// <summary>0 = any free port.</summary>
    public int Port { get; }

    /// <summary>True when only this machine can connect.</summary>
    public bool IsLoopback => Address is null || IPAddress.IsLoopback(Address);

    /// <summary>Parses <c>127.0.0.1:8080</c>, <c>0.0.0.0:8080</c>, <c>[::1]:8080</c>, <c>localhost:8080</c> (an <c>http://</c> prefix is allowed).</summary>
    /// <exception cref="FormatException">Not one of those forms; the message shows the value.</exception>
    public static ListenAddress Parse(string value)
    {
        var text = (value ?? "").Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) text = text["http://".Length..].TrimEnd('/');
        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
        {
            var host = text[..colon];
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return new ListenAddress(null, port);
            // IPv6 only in brackets, so that "::1" (no port) is never read as address "::" and port 1.
            var isBracketed = host.StartsWith('[') && host.EndsWith(']');
            if (isBracketed) host = host[1..^1];
            if (IPAddress.TryParse(host, out var address) && isBracketed == (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
                return new ListenAddress(address, port);
        }
        throw new FormatException($"expected \"address:port\" (an IP address or localhost, port 0..65535), got \"{value}\"");
    }

    /// <summary>Adds this endpoint to Kestrel.</summary>
    public void ApplyTo(KestrelServerOptions kestrel)
    {
        if (Address is null) kestrel.ListenLocalhost(Port);
        else kestrel.Listen(Address, Port);
    }

    public override string ToString() => Address switch
    {
        null => $"localhost:{Port}",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 => $"[{v6}]:{Port}",
        var v4 => $"{v4}:{Port}",
    };
}
