namespace Registrator.Node.Http;

/// <summary>The body of every error answer of the HTTP API: <c>{"error": "…"}</c>.</summary>
internal sealed record ApiError(string Error);
