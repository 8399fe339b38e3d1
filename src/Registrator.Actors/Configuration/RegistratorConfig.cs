using System.Collections;
using Akka.Configuration;
using Registrator.Contracts.Serialization;

namespace Registrator.Actors.Configuration;

/// <summary>
/// Loads the configuration every node and test starts from: the embedded hocon/registrator.conf under the
/// environment overrides (<see cref="EnvironmentOverrides"/>), under whatever HOCON the caller adds on top.
/// </summary>
public static class RegistratorConfig
{
    private static readonly Lazy<Config> Embedded = new(() =>
    {
        using var stream = typeof(RegistratorConfig).Assembly.GetManifestResourceStream("Registrator.Actors.registrator.conf")
            ?? throw new InvalidOperationException("registrator.conf is not embedded in Registrator.Actors");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd())
            .WithFallback(ConfigurationFactory.ParseString(RegistratorSerializer.Hocon));
    });

    /// <summary>The embedded defaults alone (hocon/registrator.conf).</summary>
    public static Config Defaults => Embedded.Value;

    /// <summary>
    /// <paramref name="overrides"/> (highest priority), then the process environment, then the defaults.
    /// Pass <paramref name="environment"/> to read variables from elsewhere than the process (tests). Sharding's hand-off
    /// and CoordinatedShutdown timeouts follow from the result (<see cref="HandoffTimeouts"/>).
    /// </summary>
    public static Config Load(Config? overrides = null, IDictionary? environment = null)
    {
        var env = EnvironmentOverrides.ToHocon(environment ?? Environment.GetEnvironmentVariables());
        var config = Defaults;
        if (!string.IsNullOrWhiteSpace(env)) config = ConfigurationFactory.ParseString(env).WithFallback(config);
        return HandoffTimeouts.Apply(overrides is null ? config : overrides.WithFallback(config));
    }

    /// <summary>As <see cref="Load(Config?, IDictionary?)"/>, with inline HOCON text as the overrides.</summary>
    public static Config Load(string overrides, IDictionary? environment = null) =>
        Load(ConfigurationFactory.ParseString(overrides), environment);
}
