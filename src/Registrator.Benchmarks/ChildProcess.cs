using System.Diagnostics;

namespace Registrator.Benchmarks;

/// <summary>
/// This benchmark binary as a fresh child process driven line by line: commands on its stdin, answers on its stdout
/// (<see cref="SelfProcess"/> starts it; its stderr is this process's). Killed on dispose if it is still running.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);
    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    public static ChildProcess Start(string verb, IEnumerable<string> args)
    {
        var start = SelfProcess.StartInfo([], verb, args, captureOutput: true);
        start.RedirectStandardInput = true;
        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"the {verb} child did not start"));
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The child's next line that starts with <paramref name="prefix"/>; other lines are echoed to stderr.</summary>
    public async Task<string> ExpectAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"the child ended (exit {(_process.HasExited ? _process.ExitCode : -1)}) before '{prefix}'");
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
            Console.Error.WriteLine($"  child: {line}");
        }
    }

    public async Task ExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
