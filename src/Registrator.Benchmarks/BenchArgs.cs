using System.Globalization;

namespace Registrator.Benchmarks;

/// <summary>The benchmarks' options: <c>--name N</c> numbers and bare <c>--flag</c>s after the verb.</summary>
internal static class BenchArgs
{
    /// <summary>The positive number after <paramref name="name"/>, or <paramref name="fallback"/> when the option is absent.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0) return fallback;
        if (index + 1 >= args.Length || !int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) || value < 1)
            throw new ArgumentException($"{name} needs a positive number");
        return value;
    }

    /// <summary>The text after <paramref name="name"/>, or null when the option is absent.</summary>
    public static string? Text(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0) return null;
        if (index + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
        return args[index + 1];
    }

    public static bool Flag(string[] args, string name) => Array.IndexOf(args, name) >= 0;
}

/// <summary>Order statistics of a handful of samples.</summary>
internal static class BenchStats
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    /// <summary>Linear interpolation between the closest ranks; p in 0..1.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no samples", nameof(values));
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static string Met(bool met) => met ? "met" : "NOT met";

    /// <summary>The machine's 1-minute load average, so figures from a busy machine say so.</summary>
    public static string LoadAverage()
    {
        var fields = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ') : [];
        return fields.Length > 0 ? $"load average {fields[0]} on {Environment.ProcessorCount} cores" : "load average unknown";
    }
}
