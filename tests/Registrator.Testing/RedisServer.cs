using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using StackExchange.Redis;
using Xunit;

namespace Registrator.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian's package; <c>./build.sh --target=Deps</c> installs it) for integration tests: its
/// own free loopback port and temporary data folder, append-only file on, so <see cref="StopAsync"/> (SIGTERM, as an
/// operator or systemd would) followed by <see cref="StartAsync"/> is a restart on the same port that keeps the data.
/// Use it as an xunit fixture (<c>IClassFixture&lt;RedisServer&gt;</c>: started before the class, stopped and deleted
/// after it) or on its own: <c>await using var redis = await RedisServer.StartNewAsync();</c>.
/// A missing <c>redis-server</c> fails the test; it is never skipped.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly StringBuilder _log = new();
    private Process? _process;

    public RedisServer()
    {
        Executable = Environment.GetEnvironmentVariable("REDIS_SERVER") is { Length: > 0 } custom ? custom : "redis-server";
        DataDirectory = Path.Combine(Path.GetTempPath(), "registrator-redis", Guid.NewGuid().ToString("N"));
        Port = FreePort.Next();
    }

    /// <summary>The binary: <c>redis-server</c> on PATH, or the environment variable REDIS_SERVER.</summary>
    public string Executable { get; }

    public string Host => "127.0.0.1";

    /// <summary>Chosen once; kept across <see cref="StopAsync"/>/<see cref="StartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Holds the append-only file; deleted on dispose.</summary>
    public string DataDirectory { get; }

    public string Endpoint => $"{Host}:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>A started server, for use outside a fixture.</summary>
    public static async Task<RedisServer> StartNewAsync()
    {
        var server = new RedisServer();
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server (again) on <see cref="Port"/> with <see cref="DataDirectory"/>; returns once it answers PING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning) return;
        Directory.CreateDirectory(DataDirectory);
        var firstStart = _process is null;
        for (var attempt = 1; ; attempt++)
        {
            var process = Launch();
            try
            {
                await WaitUntilReadyAsync(process);
                _process = process;
                return;
            }
            catch (PortTakenException) when (firstStart && attempt < 3)
            {
                // Someone took the free port between probing and binding: a fresh one is as good on a first start.
                process.Dispose();
                Port = FreePort.Next();
            }
        }
    }

    /// <summary>Stops the server with SIGTERM (it flushes its append-only file) and waits until the process has exited.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        if (!process.HasExited)
        {
            if (kill(process.Id, SigTerm) != 0 && !process.HasExited)
                throw new InvalidOperationException($"kill -TERM {process.Id} failed with errno {Marshal.GetLastPInvokeError()}");
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        process.Dispose();
    }

    /// <summary>
    /// Kills the server with SIGKILL (no shutdown, no final flush: what the append-only file has is what a crash
    /// leaves) and waits until the process has exited.
    /// </summary>
    public async Task KillAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        if (!process.HasExited && kill(process.Id, SigKill) != 0 && !process.HasExited)
            throw new InvalidOperationException($"kill -KILL {process.Id} failed with errno {Marshal.GetLastPInvokeError()}");
        await process.WaitForExitAsync();
        process.Dispose();
    }

    /// <summary>A plain client on this server, for a test's own reads and writes.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { Host, Port } },
            AbortOnConnectFail = false,
            ConnectTimeout = 5000,
            AsyncTimeout = 10000,
            SyncTimeout = 10000,
        });

    /// <summary>What the server printed, for failure messages.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public Task InitializeAsync() => StartAsync();

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }

    private Process Launch()
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", Host,
                     "--dir", DataDirectory, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                     "--daemonize", "no", "--logfile", "", "--protected-mode", "yes",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"cannot run {Executable}: install the Debian package redis-server (./build.sh --target=Deps) or set REDIS_SERVER", ex);
        }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>Polls PING until PONG: after a restart the server answers LOADING while it replays the append-only file.</summary>
    private async Task WaitUntilReadyAsync(Process process)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                var log = Log;
                if (log.Contains("Address already in use", StringComparison.Ordinal)) throw new PortTakenException();
                throw new InvalidOperationException($"{Executable} exited with {process.ExitCode} on port {Port}:\n{log}");
            }
            if (await PingAsync()) return;
            await Task.Delay(20);
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{Executable} on port {Port} did not answer PING within {ReadyTimeout}:\n{Log}");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read >= 5 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private sealed class PortTakenException : Exception;
}
