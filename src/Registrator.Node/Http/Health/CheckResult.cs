namespace Registrator.Node.Http.Health;

/// <summary>One readiness check: whether it passes, and what it saw.</summary>
internal sealed record CheckResult(bool Ok, string Detail);
