using System.Diagnostics;
using System.Globalization;

namespace Registrator.Benchmarks;

/// <summary>
/// A registrator node as its own process: <c>taskset -c &lt;core&gt; registrator run --config &lt;file&gt;</c>, the node
/// binary that the project reference to Registrator.Node puts beside this benchmark. Its output goes to a log file
/// (shown when a run fails); stopped with SIGTERM (CoordinatedShutdown, as in production), killed if it hangs.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private NodeProcess(Process process, StreamWriter log, string logPath, int core)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
        Core = core;
    }

    public string LogPath { get; }
    public int Core { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public static NodeProcess Start(int core, string configFile, string logPath)
    {
        var node = Path.Combine(AppContext.BaseDirectory, "registrator");
        if (!File.Exists(node)) throw new FileNotFoundException("the node binary is not beside the benchmark (Registrator.Node reference)", node);
        // taskset execs the node: the process id is the node's own, so /proc/<pid>/stat is its CPU.
        var start = new ProcessStartInfo("taskset")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-c", core.ToString(CultureInfo.InvariantCulture), node, "run", "--config", configFile })
            start.ArgumentList.Add(argument);
        // The environment overrides the config file (README "Configuration"): a TMP_PATH here would put every node's clips in one folder.
        foreach (var name in start.Environment.Keys.Where(k => k == "TMP_PATH" || k.StartsWith("REGISTRATOR_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        var process = Process.Start(start) ?? throw new InvalidOperationException("taskset did not start");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var writeLock = new object();
        void Write(string? line)
        {
            if (line is null) return;
            lock (writeLock) log.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NodeProcess(process, log, logPath, core);
    }

    /// <summary>User plus system CPU time of the node so far, from /proc/&lt;pid&gt;/stat (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public string LogTail(int lines = 30) => string.Join(Environment.NewLine, File.ReadLines(LogPath).TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
        await _log.DisposeAsync();
    }
}
