namespace Registrator.Node.Http.Events;

/// <summary>
/// A page of <c>GET /api/events</c>: events of <paramref name="Key"/> (all when <c>null</c>) scored in
/// [<paramref name="Since"/>, <paramref name="Until"/>] (Unix seconds, both inclusive, open when <c>null</c>), newest
/// first, skipping <paramref name="Offset"/> and returning at most <paramref name="Limit"/>.
/// </summary>
internal sealed record EventFilter(string? Key, double? Since, double? Until, int Limit, int Offset);
