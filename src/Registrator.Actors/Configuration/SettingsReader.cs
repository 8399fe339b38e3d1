using System.Globalization;
using System.Numerics;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Registrator.Actors.Configuration;

/// <summary>
/// Reads one HOCON section for a settings type, and checks its values, the one way every settings type does both.
/// hocon/registrator.conf (the fallback of every configuration, <see cref="RegistratorConfig"/>) gives every key its
/// default, so a key this reader does not find is an error rather than a value made up here; every error names the
/// key's full path, the environment variable that sets it (<see cref="EnvironmentOverrides"/>) and the value.
/// </summary>
public sealed class SettingsReader
{
    private readonly Config _config;

    private SettingsReader(Config config, string path)
    {
        _config = config;
        Path = path;
    }

    /// <summary>The section's full HOCON path, e.g. <c>registrator.task</c> or <c>registrator.cameras[0]</c>.</summary>
    public string Path { get; }

    /// <summary>The section at <paramref name="path"/> of a whole configuration.</summary>
    /// <exception cref="ConfigurationException">The configuration has no such section.</exception>
    public static SettingsReader Of(Config config, string path) =>
        config.GetConfig(path) is { IsEmpty: false } section ? new SettingsReader(section, path) : throw Missing(path);

    /// <summary>A section already taken out of its configuration (e.g. <c>config.GetConfig("registrator.redis")</c>) and known by <paramref name="path"/>.</summary>
    public static SettingsReader ForSection(Config? section, string path) =>
        section is { IsEmpty: false } ? new SettingsReader(section, path) : throw Missing(path);

    /// <summary>A sub-section, e.g. <c>retention</c> of <c>registrator.events</c>.</summary>
    public SettingsReader Section(string key) =>
        _config.GetConfig(key) is { IsEmpty: false } section ? new SettingsReader(section, Full(key)) : throw Missing(Full(key));

    /// <summary>The entries of an array of objects (<c>cameras</c>, <c>overrides</c>), each known as <c>path[index]</c>; an absent key is no entries.</summary>
    public IReadOnlyList<SettingsReader> Entries(string key)
    {
        if (!_config.HasPath(key)) return [];
        return Read(key, v => v.GetArray(), "must be a list of objects")
            .Select((entry, index) => new SettingsReader(new Config(new HoconRoot(entry)), $"{Full(key)}[{index}]")).ToArray();
    }

    public bool Has(string key) => _config.HasPath(key);

    public string Full(string key) => $"{Path}.{key}";

    public string String(string key) => Read(key, v => v.GetString());

    /// <summary>The value trimmed; empty is an error.</summary>
    public string NonEmpty(string key) =>
        String(key).Trim() is { Length: > 0 } value ? value : throw Invalid(key, "must not be empty", "\"\"");

    /// <summary>The value as written, <c>null</c> when blank: HOCON's way to say "not set" for a key that has a default (<c>token = ""</c>).</summary>
    public string? Optional(string key) => String(key) is var value && !string.IsNullOrWhiteSpace(value) ? value : null;

    public IReadOnlyList<string> StringList(string key) => Read(key, v => (IReadOnlyList<string>)v.GetStringList());

    /// <summary>One string or a list of them (<c>keys = "a*"</c> or <c>keys = ["a*", "b?"]</c>).</summary>
    public IReadOnlyList<string> StringOrList(string key) =>
        Read(key, v => v.IsArray() ? (IReadOnlyList<string>)v.GetArray().Select(e => e.GetString()).ToArray() : [v.GetString()]);

    public bool Boolean(string key) => Read(key, v => v.GetBoolean(), "must be on or off (true/false)");

    public int Int(string key) => Read(key, v => v.GetInt(), "must be an integer");

    public long Long(string key) => Read(key, v => v.GetLong(), "must be an integer");

    public double Double(string key) => Read(key, v => v.GetDouble(), "must be a number") is var d && double.IsFinite(d)
        ? d
        : throw Invalid(key, "must be a finite number");

    /// <summary>A HOCON duration (<c>30s</c>, <c>2m</c>, <c>200ms</c>).</summary>
    public TimeSpan Duration(string key) => Read(key, v => v.GetTimeSpan(), "must be a duration such as 5s or 200ms");

    /// <summary>A HOCON size in bytes (<c>512MiB</c>, <c>1024</c>).</summary>
    public long Size(string key) => Read(key, v => v.GetByteSize(), "must be a size such as 16MiB") ?? throw Invalid(key, "must be a size such as 16MiB");

    /// <summary>The value of <paramref name="choices"/> the key names (case and surrounding blanks aside: environment variables are typed by hand).</summary>
    public T OneOf<T>(string key, params (string Name, T Value)[] choices)
    {
        var text = String(key);
        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase)) return value;
        }
        throw Invalid(key, "must be " + Alternatives(choices.Select(c => c.Name).ToArray()), $"\"{text}\"");
    }

    public int PositiveInt(string key) => Positive(key, Int(key));

    public long PositiveLong(string key) => Positive(key, Long(key));

    public TimeSpan PositiveDuration(string key) => Positive(key, Duration(key));

    public TimeSpan NonNegativeDuration(string key) => NonNegative(key, Duration(key));

    public T Positive<T>(string key, T value) where T : IComparable<T> =>
        value.CompareTo(default!) > 0 ? value : throw Invalid(key, "must be positive");

    public T NonNegative<T>(string key, T value) where T : IComparable<T> =>
        value.CompareTo(default!) >= 0 ? value : throw Invalid(key, "must not be negative");

    /// <summary><paramref name="value"/> when it lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public T InRange<T>(string key, T value, T min, T max) where T : INumber<T> =>
        value >= min && value <= max ? value : throw Invalid(key, $"must be {min.ToString(null, CultureInfo.InvariantCulture)}..{max.ToString(null, CultureInfo.InvariantCulture)}");

    /// <summary>The error for <paramref name="key"/> with the configured value as the file wrote it: <c>path (VARIABLE) rule, got value</c>.</summary>
    public ConfigurationException Invalid(string key, string rule, string? value = null) =>
        new($"{Named(Full(key))} {rule}, got {value ?? Raw(key)}");

    /// <summary>An error about <paramref name="key"/> whose text is all the caller's (a rule between two keys).</summary>
    public ConfigurationException Fail(string key, string message) => new($"{Named(Full(key))} {message}");

    private string Raw(string key)
    {
        if (!_config.HasPath(key)) return "nothing";
        var value = _config.GetValue(key);
        var text = value.IsString() ? value.GetString() : value.ToString();
        return text.Length == 0 ? "\"\"" : text;
    }

    private T Read<T>(string key, Func<HoconValue, T> read, string? rule = null)
    {
        var value = _config.HasPath(key) ? _config.GetValue(key) : null;
        if (value is null) throw Missing(Full(key));
        try
        {
            return read(value);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw Invalid(key, rule ?? $"could not be read ({e.Message})");
        }
    }

    private static ConfigurationException Missing(string path) =>
        new($"{Named(path)} is missing: hocon/registrator.conf gives every key its default, so start from RegistratorConfig.Load() " +
            "(or put your HOCON in front of RegistratorConfig.Defaults with WithFallback)");

    private static string Named(string path) => EnvironmentOverrides.VariableOf(path) is { } variable ? $"{path} ({variable})" : path;

    private static string Alternatives(string[] names) =>
        names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
}
