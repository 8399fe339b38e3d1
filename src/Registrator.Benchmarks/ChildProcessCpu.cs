using System.Runtime.InteropServices;

namespace Registrator.Benchmarks;

/// <summary>
/// CPU time used by this process's exited and reaped children, from getrusage(RUSAGE_CHILDREN).
/// Process.TotalProcessorTime cannot serve: on Linux it reads /proc/&lt;pid&gt;/stat and throws once the
/// child has exited, and sampling it before exit misses the child's last moments.
/// </summary>
internal static partial class ChildProcessCpu
{
    private const int RusageChildren = -1;

    /// <summary>User plus system time of all children waited for so far; take the difference around one child.</summary>
    public static TimeSpan Total()
    {
        if (getrusage(RusageChildren, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed with errno {Marshal.GetLastPInvokeError()}");
        }

        return ToTimeSpan(usage.UserSeconds, usage.UserMicroseconds) + ToTimeSpan(usage.SystemSeconds, usage.SystemMicroseconds);
    }

    private static TimeSpan ToTimeSpan(long seconds, long microseconds) =>
        TimeSpan.FromSeconds(seconds) + TimeSpan.FromMicroseconds(microseconds);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, out RUsage usage);

    // struct rusage on 64-bit Linux: two struct timeval, then 14 longs the benchmark does not read.
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public unsafe fixed long Rest[14];
    }
}
