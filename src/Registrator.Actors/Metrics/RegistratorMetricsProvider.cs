using Akka.Actor;

namespace Registrator.Actors.Metrics;

/// <summary>
/// The Akka extension id of <see cref="RegistratorMetrics"/>: creates the system's instance on first use, or hands over
/// the one the node's host made (so the host can export the meter it knows the name of).
/// </summary>
public sealed class RegistratorMetricsProvider : ExtensionIdProvider<RegistratorMetrics>
{
    private readonly RegistratorMetrics? _given;

    /// <summary>Used by <c>WithExtension</c>: a fresh instance per actor system.</summary>
    public RegistratorMetricsProvider()
    {
    }

    /// <summary>Registers <paramref name="given"/> as the system's instance.</summary>
    public RegistratorMetricsProvider(RegistratorMetrics given) => _given = given;

    public override RegistratorMetrics CreateExtension(ExtendedActorSystem system) => _given ?? new RegistratorMetrics();
}
