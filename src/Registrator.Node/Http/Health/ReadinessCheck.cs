using Akka.Cluster;

namespace Registrator.Node.Http.Health;

/// <summary>
/// <c>GET /health/ready</c>: whether this node can do its work now. Ready = this cluster member is Up, Redis answers
/// PING within <c>registrator.http.ready-timeout</c>, and (on nodes that host tasks) every connection of the NATS bridge
/// is open. Each check says why it fails, so an operator reading the 503 knows where to look.
/// </summary>
internal sealed class ReadinessCheck(NodeContext node)
{
    public async Task<Readiness> CheckAsync(CancellationToken cancellation)
    {
        var checks = new Dictionary<string, CheckResult>(StringComparer.Ordinal)
        {
            ["cluster"] = Cluster(),
            ["redis"] = await RedisAsync(cancellation).ConfigureAwait(false),
            ["nats"] = Nats(),
        };
        var failing = checks.Where(c => !c.Value.Ok).Select(c => c.Key).ToArray();
        return new Readiness(failing.Length == 0 ? "ready" : "not ready", failing, checks);
    }

    private CheckResult Cluster()
    {
        if (node.System is not { } system) return new CheckResult(false, "the actor system is starting");
        var self = Akka.Cluster.Cluster.Get(system).SelfMember;
        return new CheckResult(self.Status == MemberStatus.Up, $"{self.Address} is {self.Status}");
    }

    private async Task<CheckResult> RedisAsync(CancellationToken cancellation)
    {
        var endpoint = node.Redis.Settings.Endpoint;
        try
        {
            var database = await node.Redis.GetDatabaseAsync().WaitAsync(node.Http.ReadyTimeout, cancellation).ConfigureAwait(false);
            var latency = await database.PingAsync().WaitAsync(node.Http.ReadyTimeout, cancellation).ConfigureAwait(false);
            return new CheckResult(true, $"{endpoint} answered PING in {latency.TotalMilliseconds:F1} ms");
        }
        catch (TimeoutException)
        {
            return new CheckResult(false, $"{endpoint} did not answer PING within {node.Http.ReadyTimeout}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new CheckResult(false, $"{endpoint}: {e.GetType().Name}: {e.Message}");
        }
    }

    private CheckResult Nats()
    {
        if (node.System is null) return new CheckResult(false, "the actor system is starting");
        if (!node.HostsShards) return new CheckResult(true, "not used: this node hosts no tasks, so it runs no NATS bridge");
        var connections = node.Nats.Connections;
        var detail = string.Join(", ", connections.Select(c => $"{c.Role} {(c.Open ? "open" : "not connected")}"));
        return node.Nats.AllOpen
            ? new CheckResult(true, $"{node.Settings.Nats.Url}: {detail}")
            : new CheckResult(false, $"{node.Settings.Nats.Url}: {(detail.Length == 0 ? "no connection yet" : detail)}");
    }
}
