using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Registrator.Node.Tests.Support;

/// <summary>
/// One registrator node as an operator runs it: <c>dotnet registrator.dll run --config &lt;file&gt;</c>, a process of its
/// own with its own Akka port, HTTP port, TMP_PATH (<see cref="MediaPath"/>) and outbox folder, configured by a HOCON
/// file written before each start. Stdout and stderr of every start go to <see cref="LogPath"/>. It can be stopped as
/// systemd stops a service (<see cref="TerminateAsync"/>, SIGTERM) or as a crash does (<see cref="KillAsync"/>,
/// SIGKILL), and started again with the same ports and folders. Disposing kills it; so does the end of the test process
/// (<see cref="ProcessLauncher"/>), so no node outlives its test.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(90);
    private static readonly object LiveGate = new();
    private static readonly HashSet<Process> Live = [];

    private readonly object _logGate = new();
    private StreamWriter? _log;
    private Process? _process;

    static NodeProcess()
    {
        // A test host that exits normally kills its nodes at once (the parent-death signal covers every other ending).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (LiveGate)
                foreach (var process in Live)
                    try { process.Kill(); } catch (InvalidOperationException) { /* gone */ }
        };
    }

    public NodeProcess(string name, string folder, int akkaPort, int httpPort)
    {
        Name = name;
        Folder = folder;
        AkkaPort = akkaPort;
        HttpPort = httpPort;
        Directory.CreateDirectory(MediaPath);
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }

    /// <summary>Holds the node's media folder, outbox, configuration file and log.</summary>
    public string Folder { get; }

    public int AkkaPort { get; }

    public int HttpPort { get; }

    /// <summary>This node's address in the cluster, as seed lists and logs name it.</summary>
    public string AkkaAddress => $"akka.tcp://{NodeHost.SystemName}@127.0.0.1:{AkkaPort}";

    public Uri BaseAddress { get; }

    /// <summary>A client of <see cref="BaseAddress"/>.</summary>
    public HttpClient Http { get; }

    /// <summary>registrator.media.output-path (TMP_PATH).</summary>
    public string MediaPath => Path.Combine(Folder, "media");

    /// <summary>registrator.events.outbox-path.</summary>
    public string OutboxPath => Path.Combine(Folder, "outbox");

    public string ConfigPath => Path.Combine(Folder, "node.conf");

    public string LogPath => Path.Combine(Folder, "node.log");

    /// <summary>HOCON of this node alone, over what the cluster gives every node; kept for restarts until changed.</summary>
    public string ExtraHocon { get; set; } = "";

    /// <summary>How many times the process has been started.</summary>
    public int Starts { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Writes the configuration (<paramref name="clusterHocon"/>, then the node's own keys and <see cref="ExtraHocon"/>),
    /// starts the process, and returns once <c>/health/ready</c> says the node is ready: its member is Up, and every other
    /// check passes except those named in <paramref name="mayFail"/> (e.g. "redis" for a node whose Redis is down).
    /// </summary>
    public async Task StartAsync(string clusterHocon, IReadOnlyList<string> seeds, IReadOnlyCollection<string>? mayFail = null)
    {
        if (IsRunning) throw new InvalidOperationException($"node {Name} is already running");
        await File.WriteAllTextAsync(ConfigPath, Configuration(clusterHocon, seeds));
        Starts++;
        var dll = Path.Combine(AppContext.BaseDirectory, "registrator.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("the node's build output is not beside the tests (Registrator.Node is a project reference)", dll);
        var start = ProcessLauncher.StartInfo(DotnetHost(), [dll, "run", "--config", ConfigPath]);
        start.WorkingDirectory = Folder;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // The file alone configures the node: nothing from the test's environment overrides it.
        foreach (var variable in new[] { "TMP_PATH", "REDIS_HOST", "REDIS_PORT", "NATS_HOST", "REGISTRATOR_HOSTNAME", "REGISTRATOR_PORT",
                     "REGISTRATOR_SEEDS", "REGISTRATOR_ROLES", "REGISTRATOR_HTTP" })
            start.Environment.Remove(variable);

        lock (_logGate)
        {
            _log = new StreamWriter(LogPath, append: true, Encoding.UTF8) { AutoFlush = true };
            _log.WriteLine($"===== {Name} start #{Starts} at {DateTime.UtcNow:HH:mm:ss.fff} =====");
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(e.Data is null ? null : "stderr: " + e.Data);
        await ProcessLauncher.StartAsync(process);
        lock (LiveGate) Live.Add(process);
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitReadyAsync(process, mayFail ?? []);
    }

    /// <summary>SIGTERM, as systemd or Kubernetes stop a service; returns once the process exited, with how long that took.</summary>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="within"/> (then it is killed).</exception>
    public async Task<TimeSpan> TerminateAsync(TimeSpan? within = null)
    {
        var process = _process ?? throw new InvalidOperationException($"node {Name} is not running");
        var clock = Stopwatch.StartNew();
        Signal(process, SigTerm);
        using var timeout = new CancellationTokenSource(within ?? StopPatience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"node {Name} did not exit within {within ?? StopPatience} of SIGTERM:\n{LogTail()}");
        }
        var took = clock.Elapsed;
        Exited(process);
        return took;
    }

    /// <summary>SIGKILL, as a crash or the OOM killer would: nothing runs after it. Returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process) return;
        if (!process.HasExited) Signal(process, SigKill);
        await process.WaitForExitAsync();
        Exited(process);
    }

    /// <summary>The process's exit code after it stopped.</summary>
    public int? LastExitCode { get; private set; }

    /// <summary>Everything the node printed, over all its starts.</summary>
    public string ReadLog()
    {
        lock (_logGate)
        {
            _log?.Flush();
            return File.Exists(LogPath) ? ReadShared(LogPath) : "";
        }
    }

    /// <summary>The last lines of the log and every warning or error before them, for a failure message.</summary>
    public string LogTail(int lines = 80)
    {
        var all = ReadLog().Split('\n');
        var problems = all.SkipLast(lines).Where(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal)
            || l.Contains("crit:", StringComparison.Ordinal) || l.StartsWith("stderr:", StringComparison.Ordinal) || l.StartsWith("=====", StringComparison.Ordinal));
        return $"--- node {Name} ({AkkaAddress}, {BaseAddress}), log {LogPath} ---\n"
            + string.Join('\n', problems.Select(Shorten)) + "\n...\n" + string.Join('\n', all.TakeLast(lines).Select(Shorten));
    }

    /// <summary>The answer's JSON; fails with the body when the status is not <paramref name="expected"/>.</summary>
    public async Task<JsonElement> GetJsonAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{Name}: GET {path}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>The sum of a Prometheus counter or gauge on <c>/metrics</c> over the series whose labels contain <paramref name="labels"/>.</summary>
    public async Task<double> MetricAsync(string name, string labels = "")
    {
        var text = await Http.GetStringAsync("/metrics");
        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length <= name.Length || line[name.Length] is not ('{' or ' ')) continue;
            var space = line.LastIndexOf(' ');
            var series = line[..space];
            if (labels.Length > 0 && !series.Contains(labels, StringComparison.Ordinal)) continue;
            total += double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Http.Dispose();
    }

    private string Configuration(string clusterHocon, IReadOnlyList<string> seeds) => $$"""
        {{clusterHocon}}
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{AkkaPort}} }
        akka.cluster.seed-nodes = [{{string.Join(", ", seeds.Select(Quote))}}]
        registrator.http.listen = "127.0.0.1:{{HttpPort}}"
        registrator.media.output-path = {{Quote(MediaPath)}}
        registrator.events.outbox-path = {{Quote(OutboxPath)}}
        {{ExtraHocon}}
        """;

    private async Task WaitReadyAsync(Process process, IReadOnlyCollection<string> mayFail)
    {
        try
        {
            await Poll.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    await process.WaitForExitAsync();
                    Exited(process);
                    throw new Poll.GiveUpException($"node {Name} exited with {process.ExitCode} while starting:\n{LogTail()}");
                }
                using var response = await Http.GetAsync("/health/ready");
                var body = await response.Content.ReadAsStringAsync();
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                var failing = root.GetProperty("failing").EnumerateArray().Select(f => f.GetString()!).ToArray();
                Assert.True(root.GetProperty("checks").GetProperty("cluster").GetProperty("ok").GetBoolean() && failing.All(mayFail.Contains), body);
            }, StartPatience);
        }
        catch (Exception e) when (e is not Poll.GiveUpException)
        {
            await KillAsync();
            throw new TimeoutException($"node {Name} not ready within {StartPatience}: {e.Message}\n{LogTail()}", e);
        }
    }

    private void Exited(Process process)
    {
        lock (LiveGate) Live.Remove(process);
        if (!ReferenceEquals(_process, process)) return;
        // WaitForExit (no timeout) also waits for the redirected output to reach its end.
        process.WaitForExit();
        LastExitCode = process.ExitCode;
        process.Dispose();
        _process = null;
        lock (_logGate)
        {
            _log?.WriteLine($"===== {Name} exited with {LastExitCode} at {DateTime.UtcNow:HH:mm:ss.fff} =====");
            _log?.Dispose();
            _log = null;
        }
    }

    private void WriteLog(string? line)
    {
        if (line is null) return;
        lock (_logGate) _log?.WriteLine(line);
    }

    private static void Signal(Process process, int signal)
    {
        if (kill(process.Id, signal) != 0 && !process.HasExited)
            throw new InvalidOperationException($"kill -{signal} {process.Id} failed with errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The dotnet host the test runs on (the CLI exports it to its children), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Shorten(string line) => line.Length > 400 ? line[..400] + "…" : line;

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
