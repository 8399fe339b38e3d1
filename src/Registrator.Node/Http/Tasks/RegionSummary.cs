namespace Registrator.Node.Http.Tasks;

/// <summary>One shard region of <c>GET /api/tasks</c>: its node, whether it answered, and how many shards and live entities it holds.</summary>
internal sealed record RegionSummary(string Address, string? Url, bool Answered, int Shards, int Entities);
