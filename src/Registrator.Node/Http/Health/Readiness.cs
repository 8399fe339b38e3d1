using System.Text.Json.Serialization;

namespace Registrator.Node.Http.Health;

/// <summary>The answer of <c>/health/ready</c>: <paramref name="Failing"/> names the checks that fail.</summary>
internal sealed record Readiness(string Status, IReadOnlyList<string> Failing, IReadOnlyDictionary<string, CheckResult> Checks)
{
    [JsonIgnore]
    public bool IsReady => Failing.Count == 0;
}
