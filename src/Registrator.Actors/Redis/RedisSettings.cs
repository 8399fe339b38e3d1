using Akka.Configuration;
using StackExchange.Redis;

namespace Registrator.Actors.Redis;

/// <summary>
/// How a node reaches Redis, from <c>registrator.redis</c> (keys documented in hocon/registrator.conf; REDIS_HOST and
/// REDIS_PORT override host and port). Read by <see cref="RedisConnection"/>, which owns the node's one multiplexer.
/// </summary>
public sealed record RedisSettings
{
    public string Host { get; init; } = "localhost";
    public int Port { get; init; } = 6379;
    /// <summary>ACL user; <c>null</c> = the default user.</summary>
    public string? User { get; init; }
    /// <summary><c>null</c> = no AUTH.</summary>
    public string? Password { get; init; }
    public int Database { get; init; }
    public bool Ssl { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ReconnectMinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan ReconnectMaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
    public string ClientName { get; init; } = "registrator";

    /// <summary><c>host:port</c>, for log lines.</summary>
    public string Endpoint => $"{Host}:{Port}";

    /// <summary>Parses the <c>registrator.redis</c> section; a missing section or key takes the documented default.</summary>
    /// <exception cref="ConfigurationException">A value is out of range; the message names the key.</exception>
    public static RedisSettings From(Config? redis)
    {
        var defaults = new RedisSettings();
        if (redis is null || redis.IsEmpty) return defaults;
        var settings = new RedisSettings
        {
            Host = redis.GetString("host", defaults.Host),
            Port = redis.GetInt("port", defaults.Port),
            User = NullIfEmpty(redis.GetString("user", "")),
            Password = NullIfEmpty(redis.GetString("password", "")),
            Database = redis.GetInt("database", defaults.Database),
            Ssl = redis.GetBoolean("ssl", defaults.Ssl),
            ConnectTimeout = redis.GetTimeSpan("connect-timeout", defaults.ConnectTimeout),
            CommandTimeout = redis.GetTimeSpan("command-timeout", defaults.CommandTimeout),
            ReconnectMinBackoff = redis.GetTimeSpan("reconnect-min-backoff", defaults.ReconnectMinBackoff),
            ReconnectMaxBackoff = redis.GetTimeSpan("reconnect-max-backoff", defaults.ReconnectMaxBackoff),
            ClientName = redis.GetString("client-name", defaults.ClientName),
        };
        if (string.IsNullOrWhiteSpace(settings.Host)) throw new ConfigurationException("registrator.redis.host (REDIS_HOST) must not be empty");
        if (settings.Port is <= 0 or > 65535) throw new ConfigurationException($"registrator.redis.port (REDIS_PORT) must be 1..65535, got {settings.Port}");
        if (settings.Database < 0) throw new ConfigurationException($"registrator.redis.database must be 0 or more, got {settings.Database}");
        Positive(settings.ConnectTimeout, "connect-timeout");
        Positive(settings.CommandTimeout, "command-timeout");
        Positive(settings.ReconnectMinBackoff, "reconnect-min-backoff");
        if (settings.ReconnectMaxBackoff < settings.ReconnectMinBackoff)
            throw new ConfigurationException("registrator.redis.reconnect-max-backoff must not be below reconnect-min-backoff");
        return settings;
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

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero) throw new ConfigurationException($"registrator.redis.{key} must be positive, got {value}");
    }
}
