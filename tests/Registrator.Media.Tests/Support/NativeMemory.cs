using System.Globalization;
using System.Runtime.InteropServices;

namespace Registrator.Media.Tests.Support;

/// <summary>The process's resident memory, native heap and thread count as Linux and glibc report them.</summary>
public static class NativeMemory
{
    /// <summary>
    /// VmRSS of /proc/self/status in bytes, after an aggressive GC (which also decommits the managed
    /// heap's free space, so garbage and slack of earlier tests are not counted and do not vanish in
    /// the middle of a measurement) and glibc's malloc_trim (so native memory freed earlier is returned
    /// to the kernel instead of silently absorbing the next allocations).
    /// </summary>
    public static long ResidentBytes()
    {
        Settle();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
        return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// Bytes of the native heap in use (glibc mallinfo2: arena blocks in use plus mmapped blocks, all
    /// arenas). FFmpeg's av_malloc and x264's buffers come from here; the managed heap does not, so this
    /// sees a native leak without the GC's noise.
    /// </summary>
    public static long MallocInUseBytes()
    {
        Settle();
        var info = mallinfo2();
        return (long)(info.Uordblks + info.Hblkhd);
    }

    /// <summary>Threads of this process (/proc/self/task).</summary>
    public static int Threads() => Directory.GetDirectories("/proc/self/task").Length;

    private static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        malloc_trim(0);
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc", ExactSpelling = true)]
    private static extern MallInfo2 mallinfo2();

    /// <summary>glibc's struct mallinfo2 (2.33+): ten size_t fields.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallInfo2
    {
        public readonly nuint Arena;
        public readonly nuint Ordblks;
        public readonly nuint Smblks;
        public readonly nuint Hblks;
        public readonly nuint Hblkhd;
        public readonly nuint Usmblks;
        public readonly nuint Fsmblks;
        public readonly nuint Uordblks;
        public readonly nuint Fordblks;
        public readonly nuint Keepcost;
    }
}

/// <summary>Tests that read process-wide figures (RSS, threads, CPU speed) run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide measurements";
}
