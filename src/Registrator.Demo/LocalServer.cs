using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Registrator.Demo;

/// <summary>
/// A Debian server binary (redis-server, nats-server) the demo starts on a free loopback port and stops when
/// disposed. Ready once its port accepts connections.
/// </summary>
public sealed class LocalServer : IAsyncDisposable
{
    private readonly Process _process;

    private LocalServer(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        _process = process;
    }

    public string Name { get; }
    public int Port { get; }

    public static async Task<LocalServer> StartAsync(string binary, Func<int, string[]> arguments, CancellationToken cancellation)
    {
        var port = FreePort();
        var info = new ProcessStartInfo(binary, arguments(port))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {binary}");
        // Drain the pipes so a chatty server never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LocalServer(Path.GetFileName(binary), port, process);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await IsReachableAsync(port, cancellation))
        {
            if (process.HasExited) throw new InvalidOperationException($"{binary} exited with {process.ExitCode} before it listened on {port}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{binary} did not listen on {port} within 20 s");
            await Task.Delay(50, cancellation);
        }
        return server;
    }

    /// <summary>The server's CPU time so far (user and system), e.g. to tell a benchmark's servers from what it measures.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public static async Task<bool> IsReachableAsync(int port, CancellationToken cancellation, string host = "127.0.0.1")
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
