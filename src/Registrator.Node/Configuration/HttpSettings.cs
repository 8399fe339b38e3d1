using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Node.Http;
using Registrator.Node.Urls;

namespace Registrator.Node.Configuration;

/// <summary>
/// The node's HTTP server, from <c>registrator.http</c> (keys documented in hocon/registrator.conf; REGISTRATOR_HTTP
/// overrides <c>listen</c>). Parsed once when the host is built.
/// </summary>
public sealed record HttpSettings
{
    public const string ConfigPath = "registrator.http";

    public required bool Enabled { get; init; }
    public required ListenAddress Listen { get; init; }
    /// <summary><c>null</c> = /api and /media are open.</summary>
    public required string? Token { get; init; }
    public required TimeSpan AskTimeout { get; init; }
    public required int DefaultPageSize { get; init; }
    public required int MaxPageSize { get; init; }
    public required TimeSpan ReadyTimeout { get; init; }
    public required TimeSpan StreamHeartbeat { get; init; }
    /// <summary>
    /// This node's HTTP base URL as other nodes reach it (no trailing slash), written into each event it records;
    /// <c>null</c> = derived from the address the server actually listens on (<see cref="NodeUrl.Derive"/>).
    /// </summary>
    public required string? PublicUrl { get; init; }
    /// <summary>How long a proxied media request waits for the writing node to connect and answer its headers.</summary>
    public required TimeSpan ProxyTimeout { get; init; }

    /// <summary>Parses <c>registrator.http</c> of a whole configuration (started from <see cref="RegistratorConfig.Load(Config?, System.Collections.IDictionary?)"/>).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static HttpSettings From(Config config)
    {
        var http = SettingsReader.Of(config, ConfigPath);
        ListenAddress listen;
        try
        {
            listen = ListenAddress.Parse(http.String("listen"));
        }
        catch (FormatException e)
        {
            throw http.Fail("listen", $"is not a listen address: {e.Message}");
        }
        var maxPageSize = http.PositiveInt("max-page-size");
        var defaultPageSize = http.Int("default-page-size");
        if (defaultPageSize <= 0 || defaultPageSize > maxPageSize)
            throw http.Invalid("default-page-size", $"must be 1..max-page-size ({maxPageSize})");
        return new HttpSettings
        {
            Enabled = http.Boolean("enabled"),
            Listen = listen,
            Token = http.Optional("token"),
            AskTimeout = http.PositiveDuration("ask-timeout"),
            DefaultPageSize = defaultPageSize,
            MaxPageSize = maxPageSize,
            ReadyTimeout = http.PositiveDuration("ready-timeout"),
            StreamHeartbeat = http.PositiveDuration("stream-heartbeat"),
            PublicUrl = http.Optional("public-url") is { } url ? ParsePublicUrl(http, url) : null,
            ProxyTimeout = http.PositiveDuration("proxy-timeout"),
        };
    }

    /// <summary>Never prints the token (records print every property by default).</summary>
    public override string ToString() => $"http://{Listen}{(Token is null ? "" : " (token required)")}";

    /// <summary><c>http://host:port</c> or <c>https://host:port/prefix</c>: absolute, no query or fragment; the trailing slash dropped.</summary>
    private static string ParsePublicUrl(SettingsReader http, string value)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw http.Invalid("public-url", "must be an absolute http:// or https:// URL without query, e.g. \"http://10.0.0.5:8080\"");
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }
}
