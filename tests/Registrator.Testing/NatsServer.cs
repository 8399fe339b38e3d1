using System.Diagnostics;
using System.Text;

namespace Registrator.Testing;

/// <summary>
/// A real <c>nats-server</c> (the Debian package) on a free loopback port, owned by one test: started, stopped and
/// restarted on the same port like a crashing server, and killed at the end (or when the test process exits).
/// Never skipped: a missing binary fails the test with the package to install.
/// </summary>
public sealed class NatsServer : IDisposable
{
    private static readonly string[] Candidates = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly object _gate = new();
    private readonly StringBuilder _output = new();
    private Process? _process;

    private NatsServer(int port)
    {
        Port = port;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>A server that is running and accepting connections.</summary>
    public static NatsServer Start()
    {
        var server = Reserve();
        server.Run();
        return server;
    }

    /// <summary>A free port for a server that is not started yet (<see cref="Run"/> starts it).</summary>
    public static NatsServer Reserve() => new(FreePort.Next());

    /// <summary>Starts the server and returns once it accepts connections.</summary>
    public void Run()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false }) return;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var process = new Process
            {
                StartInfo = new ProcessStartInfo(Binary(), $"-a 127.0.0.1 -p {Port}")
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                },
                EnableRaisingEvents = true,
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_output) _output.AppendLine(e.Data);
                if (e.Data.Contains("Server is ready", StringComparison.Ordinal)) ready.TrySetResult();
            };
            process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"nats-server on port {Port} exited: {Output}"));
            process.Start();
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            _process = process;
            if (!ready.Task.Wait(StartTimeout))
                throw new TimeoutException($"nats-server on port {Port} not ready within {StartTimeout}: {Output}");
        }
    }

    /// <summary>Kills the server, as a crash would: clients see the connection drop.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_process is null) return;
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            _process.Dispose();
            _process = null;
        }
    }

    /// <summary>Stops the server and starts it again on the same port.</summary>
    public void Restart()
    {
        Stop();
        Run();
    }

    public void Dispose() => Stop();

    /// <summary>What the server logged so far (it logs to standard error), e.g. the clients it cut off as slow consumers.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    private static string Binary()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "nats-server"));
        return Candidates.Concat(onPath).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nats-server not found: install the Debian package nats-server (./build.sh --target=Deps)");
    }
}
