using System.Collections.Concurrent;
using System.Diagnostics;

namespace Registrator.Node.Tests.Support;

/// <summary>
/// Starts child processes that die with the test process, however it ends. Each child runs under
/// <c>setpriv --pdeathsig KILL</c>, so the kernel sends it SIGKILL when its parent goes; Linux counts the thread that
/// forked as the parent, and .NET forks on the thread that calls <see cref="Process.Start()"/>, so every child is started
/// from one dedicated thread that lives as long as the test process. A child started from a pool thread would be killed
/// whenever that thread retired; one started without the signal would outlive a test host that crashed or was killed.
/// </summary>
public static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = new();

    static ProcessLauncher()
    {
        new Thread(Serve) { IsBackground = true, Name = "process-launcher" }.Start();
    }

    /// <summary>
    /// A start for <paramref name="fileName"/> with <paramref name="arguments"/> that setpriv turns into the program
    /// itself (exec: same pid, signals reach the program), with the parent-death signal set.
    /// </summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("setpriv") { UseShellExecute = false };
        foreach (var argument in new[] { "--pdeathsig", "KILL", "--", fileName }.Concat(arguments)) start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>Starts <paramref name="process"/> (configured, handlers attached) on the launcher thread.</summary>
    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static void Serve()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
