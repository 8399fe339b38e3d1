using System.Net;
using System.Net.Sockets;

namespace Registrator.Testing;

/// <summary>Loopback ports for the servers and nodes a test starts, so parallel tests and other builds on the machine never collide.</summary>
public static class FreePort
{
    /// <summary>A port the OS just handed out and nobody listens on now; a caller that loses a race retries with another.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
