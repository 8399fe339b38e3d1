using System.Net.Sockets;
using System.Text;

namespace Registrator.Node.Tests.Support;

/// <summary>
/// Sends a request target byte for byte. HttpClient (through Uri) removes <c>..</c> segments and may re-encode a path
/// before sending it; an attacker's client does neither, so traversal attempts are sent this way.
/// </summary>
public static class RawHttp
{
    /// <summary>The status code and body of <c>GET <paramref name="target"/></c>.</summary>
    public static async Task<(int Status, string Body)> GetAsync(Uri baseAddress, string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await reader.ReadToEndAsync(timeout.Token);
        var statusLine = response.Split("\r\n", 2)[0];
        var parts = statusLine.Split(' ');
        Assert.True(parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal), $"not an HTTP response to {target}: {statusLine}");
        var bodyStart = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), bodyStart < 0 ? "" : response[(bodyStart + 4)..]);
    }
}
