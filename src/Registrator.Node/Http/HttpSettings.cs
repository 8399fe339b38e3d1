using Akka.Configuration;

namespace Registrator.Node.Http;

/// <summary>
/// The node's HTTP server, from <c>registrator.http</c> (keys documented in hocon/registrator.conf; REGISTRATOR_HTTP
/// overrides <c>listen</c>). Parsed once when the host is built.
/// </summary>
public sealed record HttpSettings
{
    public bool Enabled { get; init; } = true;
    public ListenAddress Listen { get; init; } = ListenAddress.Parse("127.0.0.1:8080");
    /// <summary><c>null</c> = /api and /media are open.</summary>
    public string? Token { get; init; }
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int DefaultPageSize { get; init; } = 50;
    public int MaxPageSize { get; init; } = 500;
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan StreamHeartbeat { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>
    /// This node's HTTP base URL as other nodes reach it (no trailing slash), written into each event it records;
    /// <c>null</c> = derived from the address the server actually listens on (<see cref="NodeUrl.Derive"/>).
    /// </summary>
    public string? PublicUrl { get; init; }
    /// <summary>How long a proxied media request waits for the writing node to connect and answer its headers.</summary>
    public TimeSpan ProxyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parses <c>registrator.http</c>; a missing section or key takes the documented default.</summary>
    /// <exception cref="ConfigurationException">A value is out of range; the message names the key.</exception>
    public static HttpSettings From(Config config)
    {
        var defaults = new HttpSettings();
        var http = config.GetConfig("registrator.http");
        if (http is null || http.IsEmpty) return defaults;
        ListenAddress listen;
        try
        {
            listen = ListenAddress.Parse(http.GetString("listen", "127.0.0.1:8080"));
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"registrator.http.listen (REGISTRATOR_HTTP): {e.Message}");
        }
        var settings = new HttpSettings
        {
            Enabled = http.GetBoolean("enabled", defaults.Enabled),
            Listen = listen,
            Token = http.GetString("token", "") is { Length: > 0 } token ? token : null,
            AskTimeout = http.GetTimeSpan("ask-timeout", defaults.AskTimeout),
            DefaultPageSize = http.GetInt("default-page-size", defaults.DefaultPageSize),
            MaxPageSize = http.GetInt("max-page-size", defaults.MaxPageSize),
            ReadyTimeout = http.GetTimeSpan("ready-timeout", defaults.ReadyTimeout),
            StreamHeartbeat = http.GetTimeSpan("stream-heartbeat", defaults.StreamHeartbeat),
            PublicUrl = http.GetString("public-url", "") is { Length: > 0 } url ? ParsePublicUrl(url) : null,
            ProxyTimeout = http.GetTimeSpan("proxy-timeout", defaults.ProxyTimeout),
        };
        Positive(settings.AskTimeout, "ask-timeout");
        Positive(settings.ReadyTimeout, "ready-timeout");
        Positive(settings.StreamHeartbeat, "stream-heartbeat");
        Positive(settings.ProxyTimeout, "proxy-timeout");
        if (settings.MaxPageSize <= 0) throw new ConfigurationException($"registrator.http.max-page-size must be positive, got {settings.MaxPageSize}");
        if (settings.DefaultPageSize <= 0 || settings.DefaultPageSize > settings.MaxPageSize)
            throw new ConfigurationException($"registrator.http.default-page-size must be 1..max-page-size ({settings.MaxPageSize}), got {settings.DefaultPageSize}");
        return settings;
    }

    /// <summary>Never prints the token (records print every property by default).</summary>
    public override string ToString() => $"http://{Listen}{(Token is null ? "" : " (token required)")}";

    /// <summary><c>http://host:port</c> or <c>https://host:port/prefix</c>: absolute, no query or fragment; the trailing slash dropped.</summary>
    private static string ParsePublicUrl(string value)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new ConfigurationException($"registrator.http.public-url must be an absolute http:// or https:// URL without query, e.g. \"http://10.0.0.5:8080\", got \"{value}\"");
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    private static void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero) throw new ConfigurationException($"registrator.http.{key} must be positive, got {value}");
    }
}
