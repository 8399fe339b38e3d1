using System.Collections;
using System.Globalization;
using System.Text;

namespace Registrator.Actors.Configuration;

/// <summary>
/// The environment variables operators set (the Python module's, plus the cluster's), and the HOCON path each
/// one overrides. One table, so README, code and tests agree on it.
/// </summary>
public static class EnvironmentOverrides
{
    private enum Kind { String, Int, StringList }

    private sealed record Mapping(string Variable, Kind Kind, params string[] Paths);

    private static readonly Mapping[] Table =
    [
        new("TMP_PATH", Kind.String, "registrator.media.output-path"),
        new("REDIS_HOST", Kind.String, "registrator.redis.host"),
        new("REDIS_PORT", Kind.Int, "registrator.redis.port"),
        new("NATS_HOST", Kind.StringList, "registrator.nats.servers"),
        new("REGISTRATOR_HOSTNAME", Kind.String, "akka.remote.dot-netty.tcp.hostname", "akka.remote.dot-netty.tcp.public-hostname"),
        new("REGISTRATOR_PORT", Kind.Int, "akka.remote.dot-netty.tcp.port"),
        new("REGISTRATOR_SEEDS", Kind.StringList, "akka.cluster.seed-nodes"),
        new("REGISTRATOR_ROLES", Kind.StringList, "akka.cluster.roles"),
        new("REGISTRATOR_HTTP", Kind.String, "registrator.http.listen"),
        new("REGISTRATOR_FORMATION", Kind.String, "registrator.cluster.formation"),
        new("REGISTRATOR_DISCOVERY", Kind.String, "registrator.cluster.bootstrap.discovery"),
        new("REGISTRATOR_CONTACT_POINTS", Kind.StringList, "registrator.cluster.bootstrap.contact-points"),
        new("REGISTRATOR_REQUIRED_CONTACT_POINTS", Kind.Int, "registrator.cluster.bootstrap.required-contact-points"),
        new("REGISTRATOR_MANAGEMENT_PORT", Kind.Int, "registrator.cluster.bootstrap.management.port"),
        new("REGISTRATOR_K8S_NAMESPACE", Kind.String, "registrator.cluster.bootstrap.kubernetes.namespace"),
        new("REGISTRATOR_K8S_LABEL_SELECTOR", Kind.String, "registrator.cluster.bootstrap.kubernetes.label-selector"),
    ];

    /// <summary>The variables this table reads, in order.</summary>
    public static IReadOnlyList<string> Variables { get; } = Table.Select(m => m.Variable).ToArray();

    /// <summary>The variable that sets <paramref name="path"/>, for error messages; <c>null</c> when none does.</summary>
    public static string? VariableOf(string path) => Table.FirstOrDefault(m => m.Paths.Contains(path))?.Variable;

    /// <summary>HOCON text with one line per variable that is set (empty values are ignored).</summary>
    /// <exception cref="FormatException">A numeric variable is not a number; the message names it.</exception>
    public static string ToHocon(IDictionary environment)
    {
        var hocon = new StringBuilder();
        foreach (var mapping in Table)
        {
            if (environment[mapping.Variable] is not string raw || string.IsNullOrWhiteSpace(raw)) continue;
            var value = Render(mapping, raw.Trim());
            foreach (var path in mapping.Paths) hocon.Append(path).Append(" = ").Append(value).Append('\n');
        }
        return hocon.ToString();
    }

    private static string Render(Mapping mapping, string raw) => mapping.Kind switch
    {
        Kind.Int => int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n.ToString(CultureInfo.InvariantCulture)
            : throw new FormatException($"{mapping.Variable} must be a number, got '{raw}'"),
        Kind.StringList => "[" + string.Join(", ", raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Quote)) + "]",
        _ => Quote(raw),
    };

    /// <summary>A HOCON quoted string: JSON string escaping is valid HOCON.</summary>
    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
