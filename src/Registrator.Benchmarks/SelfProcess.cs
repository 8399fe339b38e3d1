using System.Diagnostics;
using System.Reflection;

namespace Registrator.Benchmarks;

/// <summary>
/// This benchmark binary started again as a child process with a hidden verb, optionally under a launcher such as
/// <c>taskset -c 0</c>: a fresh process (its memory is its own) or one pinned to a core. Works both from the apphost
/// (<c>dotnet run</c>) and from <c>dotnet Registrator.Benchmarks.dll</c>. The child's stderr is this process's.
/// </summary>
internal static class SelfProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> launcher, string verb, IEnumerable<string> args, bool captureOutput)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        var command = new List<string>(launcher) { host };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            command.Add(Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly"));
        command.Add(verb);
        command.AddRange(args);

        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = captureOutput };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>Runs the child to its end; its standard output is returned when captured, else it goes to this console.</summary>
    public static (int ExitCode, string Output) Run(IEnumerable<string> launcher, string verb, IEnumerable<string> args, bool captureOutput)
    {
        using var process = Process.Start(StartInfo(launcher, verb, args, captureOutput))
            ?? throw new InvalidOperationException($"the {verb} child did not start");
        var output = captureOutput ? process.StandardOutput.ReadToEnd() : "";
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
