using System.Globalization;
using System.Text.RegularExpressions;

namespace Registrator.Node.Tests.Support;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4): every line is blank, a <c>#</c> comment, or
/// <c>name{label="value",…} number [timestamp]</c>; anything else fails the test with the line.
/// </summary>
public static partial class PrometheusText
{
    /// <summary>One sample: metric name, labels, value.</summary>
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)( -?\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""\G(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)"(,|$)""")]
    private static partial Regex Label();

    public static IReadOnlyList<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            samples.Add(new Sample(match.Groups["name"].Value, Labels(match.Groups["labels"].Value, line), Number(match.Groups["value"].Value, line)));
        }
        return samples;
    }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public static double Value(IReadOnlyList<Sample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    private static Dictionary<string, string> Labels(string text, string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        while (position < text.Length)
        {
            var match = Label().Match(text, position);
            Assert.True(match.Success && match.Index == position, $"malformed labels in: {line}");
            labels.Add(match.Groups["key"].Value, match.Groups["value"].Value);
            position += match.Length;
        }
        return labels;
    }

    private static double Number(string text, string line) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new Xunit.Sdk.XunitException($"not a number in: {line}"),
    };
}
