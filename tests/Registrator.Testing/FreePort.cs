using System.Net;
using System.Net.Sockets;

namespace Registrator.Testing;

/// <summary>Loopback ports for the servers and nodes a test starts, so parallel tests and other builds on the machine never collide.</summary>
public static class FreePort
{
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    /// <summary>
    /// A port the OS just handed out and nobody listens on now, never one this process was given before: the OS may
    /// hand a closed port out again at once, and a fixture that picks a node's HTTP and cluster ports up front would
    /// then start two listeners on one port (seen: a node's cluster port was the previous node's HTTP port).
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Gate)
            {
                if (HandedOut.Add(port)) return port;
            }
        }
    }
}
