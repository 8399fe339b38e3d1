namespace Registrator.Node.Http.Events;

/// <summary>One key of <c>GET /api/keys</c>: how many events it has and the newest one's timestamp (Unix seconds).</summary>
internal sealed record KnownKey(string Key, int Events, double Latest);
