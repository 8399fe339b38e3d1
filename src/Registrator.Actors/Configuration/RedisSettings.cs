using Akka.Configuration;
using Registrator.Actors.Redis;
using StackExchange.Redis;

namespace Registrator.Actors.Configuration;

/// <summary>
/// How a node reaches Redis, from <c>registrator.redis</c> (keys documented in hocon/registrator.conf; REDIS_HOST and
/// REDIS_PORT override host and port). Read by <see cref="RedisConnection"/>, which owns the node's one multiplexer.
/// </summary>
public sealed record RedisSettings
{
    public const string ConfigPath = "registrator.redis";

    public required string Host { get; init; }
    public required int Port { get; init; }
    /// <summary>ACL user; <c>null</c> = the default user.</summary>
    public required string? User { get; init; }
    /// <summary><c>null</c> = no AUTH.</summary>
    public required string? Password { get; init; }
    public required int Database { get; init; }
    public required bool Ssl { get; init; }
    public required TimeSpan ConnectTimeout { get; init; }
    public required TimeSpan CommandTimeout { get; init; }
    public required TimeSpan ReconnectMinBackoff { get; init; }
    public required TimeSpan ReconnectMaxBackoff { get; init; }
    public required string ClientName { get; init; }

    /// <summary><c>host:port</c>, for log lines.</summary>
    public string Endpoint => $"{Host}:{Port}";

    /// <summary>Parses the <c>registrator.redis</c> section (<c>config.GetConfig("registrator.redis")</c>).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static RedisSettings From(Config? redis)
    {
        var read = SettingsReader.ForSection(redis, ConfigPath);
        var minBackoff = read.PositiveDuration("reconnect-min-backoff");
        var maxBackoff = read.Duration("reconnect-max-backoff");
        if (maxBackoff < minBackoff) throw read.Invalid("reconnect-max-backoff", "must not be below reconnect-min-backoff");
        return new RedisSettings
        {
            Host = read.NonEmpty("host"),
            Port = read.InRange("port", read.Int("port"), 1, 65535),
            User = read.Optional("user"),
            Password = read.Optional("password"),
            Database = read.NonNegative("database", read.Int("database")),
            Ssl = read.Boolean("ssl"),
            ConnectTimeout = read.PositiveDuration("connect-timeout"),
            CommandTimeout = read.PositiveDuration("command-timeout"),
            ReconnectMinBackoff = minBackoff,
            ReconnectMaxBackoff = maxBackoff,
            ClientName = read.NonEmpty("client-name"),
        };
    }

    /// <summary>
    /// Client options: AbortOnConnectFail off, so a node starts (and its event store keeps the outbox) while Redis is down,
    /// and the multiplexer keeps reconnecting in the background.
    /// </summary>
    public ConfigurationOptions ToOptions()
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            User = User,
            Password = Password,
            DefaultDatabase = Database,
            Ssl = Ssl,
            ConnectTimeout = Milliseconds(ConnectTimeout),
            SyncTimeout = Milliseconds(CommandTimeout),
            AsyncTimeout = Milliseconds(CommandTimeout),
            ReconnectRetryPolicy = new ExponentialRetry(Milliseconds(ReconnectMinBackoff), Milliseconds(ReconnectMaxBackoff)),
            ClientName = ClientName,
        };
        options.EndPoints.Add(Host, Port);
        return options;
    }

    /// <summary>Never prints the password (records print every property by default).</summary>
    public override string ToString() => $"redis://{Endpoint}/{Database}{(Ssl ? " (tls)" : "")}";

    private static int Milliseconds(TimeSpan value) => (int)Math.Min(int.MaxValue, Math.Ceiling(value.TotalMilliseconds));
}
