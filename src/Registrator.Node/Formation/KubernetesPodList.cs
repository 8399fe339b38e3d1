using System.Net;
using System.Text.Json;
using Akka.Discovery;

namespace Registrator.Node.Formation;

/// <summary>
/// The contact points in a Kubernetes API pod list (<c>GET /api/v1/namespaces/{ns}/pods</c>, a <c>v1 PodList</c>): the IP
/// of every running pod that is not being deleted, at its container port of the looked-up name. A pod without that port,
/// without an IP yet, or whose <c>containerName</c> container is still waiting, is no contact point.
/// </summary>
public static class KubernetesPodList
{
    /// <summary>Contact points of <paramref name="podList"/>; with no <paramref name="portName"/> each pod's IP alone.</summary>
    /// <exception cref="JsonException">The body is not a pod list.</exception>
    public static IReadOnlyList<ServiceDiscovery.ResolvedTarget> Targets(string podList, string? portName, string? containerName)
    {
        using var document = JsonDocument.Parse(podList);
        if (!document.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            throw new JsonException("a Kubernetes PodList has an \"items\" array");
        var targets = new List<ServiceDiscovery.ResolvedTarget>();
        foreach (var pod in items.EnumerateArray())
        {
            if (pod.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("deletionTimestamp", out var deleting)
                && deleting.ValueKind != JsonValueKind.Null) continue;
            if (!pod.TryGetProperty("status", out var status)) continue;
            if (!string.Equals(StringOf(status, "phase"), "Running", StringComparison.OrdinalIgnoreCase)) continue;
            if (!IPAddress.TryParse(StringOf(status, "podIP"), out var ip)) continue;
            if (containerName is not null && IsWaiting(status, containerName)) continue;
            int? port = null;
            if (portName is not null)
            {
                port = NamedPort(pod, portName);
                if (port is null) continue;
            }
            targets.Add(new ServiceDiscovery.ResolvedTarget(ip.ToString(), port, ip));
        }
        return targets;
    }

    private static bool IsWaiting(JsonElement status, string containerName) =>
        status.TryGetProperty("containerStatuses", out var statuses) && statuses.ValueKind == JsonValueKind.Array
        && statuses.EnumerateArray().Any(s => StringOf(s, "name") == containerName
            && s.TryGetProperty("state", out var state) && state.TryGetProperty("waiting", out var waiting) && waiting.ValueKind != JsonValueKind.Null);

    private static int? NamedPort(JsonElement pod, string portName)
    {
        if (!pod.TryGetProperty("spec", out var spec) || !spec.TryGetProperty("containers", out var containers)
            || containers.ValueKind != JsonValueKind.Array) return null;
        foreach (var container in containers.EnumerateArray())
        {
            if (!container.TryGetProperty("ports", out var ports) || ports.ValueKind != JsonValueKind.Array) continue;
            foreach (var port in ports.EnumerateArray())
                if (StringOf(port, "name") == portName && port.TryGetProperty("containerPort", out var number) && number.TryGetInt32(out var value))
                    return value;
        }
        return null;
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
