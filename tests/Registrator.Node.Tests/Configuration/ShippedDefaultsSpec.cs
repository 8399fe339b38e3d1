using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Registrator.Actors.Configuration;
using Registrator.Node.Configuration;

namespace Registrator.Node.Tests.Configuration;

/// <summary>
/// hocon/registrator.conf is the only source of defaults: every key of the shipped file is read by a settings type
/// (take one away and parsing fails naming it), and the settings parsed from the file hold the file's values.
/// </summary>
public sealed class ShippedDefaultsSpec
{
    /// <summary>Keys no settings type reads on purpose: a list with no entries by default, and Akka's dispatcher section.</summary>
    private static readonly string[] NotSettings =
    [
        "registrator.cameras",
        "registrator.trigger.overrides",
        "registrator.media.encoder-dispatcher.",
        // Read in bootstrap mode only (its entries are resolved against management.port there); covered below.
        "registrator.cluster.bootstrap.contact-points",
    ];

    public static TheoryData<string> ShippedKeys()
    {
        var data = new TheoryData<string>();
        foreach (var (path, _) in RegistratorLeaves(ShippedFile()))
        {
            if (!NotSettings.Any(path.StartsWith)) data.Add(path);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedKeys))]
    public void Every_shipped_key_is_read_and_a_missing_one_is_an_error_naming_it(string path)
    {
        var without = Render(RegistratorLeaves(ShippedFile()).Where(leaf => leaf.Path != path));

        var error = Assert.Throws<ConfigurationException>(() => ParseAll(without));

        // The environment variable that sets the key, if any, is named beside it.
        Assert.Matches($"^{Regex.Escape(path)}( \\([A-Z0-9_]+\\))? is missing", error.Message);
    }

    [Fact]
    public void The_contact_points_of_a_bootstrap_node_are_read_from_the_file_too()
    {
        var without = Render(RegistratorLeaves(ShippedFile()).Where(leaf => leaf.Path != "registrator.cluster.bootstrap.contact-points"));
        var bootstrap = ConfigurationFactory.ParseString("registrator.cluster.formation = bootstrap").WithFallback(without);

        var error = Assert.Throws<ConfigurationException>(() => FormationSettings.From(bootstrap));

        Assert.Contains("registrator.cluster.bootstrap.contact-points (REGISTRATOR_CONTACT_POINTS) is missing", error.Message);
    }

    [Fact]
    public void The_settings_of_the_shipped_file_hold_its_values()
    {
        var file = ShippedFile();
        var settings = RegistratorSettings.From(file);
        var http = HttpSettings.From(file);
        var formation = FormationSettings.From(file);

        // A value the file spells differently from the record (a size, a list) is compared as the file means it.
        Assert.Equal(file.GetInt("registrator.task.max-frames"), settings.Task.MaxFrames);
        Assert.Equal(file.GetByteSize("registrator.task.max-buffer-bytes"), settings.Task.MaxBufferBytes);
        Assert.Equal(file.GetInt("registrator.task.max-frame-dimension"), settings.Task.MaxFrameDimension);
        Assert.Equal(file.GetInt("registrator.task.max-statuses"), settings.Task.MaxStatuses);
        Assert.Equal(file.GetTimeSpan("registrator.task.passivate-after"), settings.Task.PassivateAfter);
        Assert.Equal(file.GetTimeSpan("registrator.task.reorder-window"), settings.Task.ReorderWindow);
        Assert.Equal(file.GetTimeSpan("registrator.task.state-ttl"), settings.Task.StateTtl);
        Assert.Equal(file.GetTimeSpan("registrator.task.state-restore-timeout"), settings.Task.StateRestoreTimeout);
        Assert.Equal(file.GetTimeSpan("registrator.task.registration-timeout"), settings.Task.RegistrationTimeout);
        Assert.Equal(file.GetInt("registrator.media.fps"), settings.Task.FramesPerSecond);
        var trigger = settings.Task.Trigger;
        Assert.Equal(file.GetString("registrator.trigger.policy"), trigger.PolicyName);
        Assert.Equal(file.GetInt("registrator.trigger.window"), trigger.WindowSize);
        Assert.Equal(file.GetDouble("registrator.trigger.ratio"), trigger.Ratio);
        Assert.Equal(file.GetTimeSpan("registrator.trigger.cooldown"), trigger.Cooldown);
        Assert.Equal(file.GetTimeSpan("registrator.trigger.pre-roll"), trigger.PreRoll);
        Assert.Equal(file.GetTimeSpan("registrator.trigger.post-roll"), trigger.PostRoll);
        Assert.Equal(file.GetTimeSpan("registrator.trigger.max-duration"), trigger.MaxDuration);
        Assert.Empty(settings.Task.Overrides);

        Assert.Equal(Path.GetFullPath(file.GetString("registrator.media.output-path")), settings.Media.OutputPath);
        Assert.Equal(
            (file.GetInt("registrator.media.fps"), file.GetString("registrator.media.preset"), file.GetInt("registrator.media.crf"),
                file.GetInt("registrator.media.jpeg-quality"), file.GetInt("registrator.media.keyint")),
            (settings.Media.Encoder.FramesPerSecond, settings.Media.Encoder.Preset, settings.Media.Encoder.Crf,
                settings.Media.Encoder.JpegQuality, settings.Media.Encoder.Keyint));

        Assert.Equal(file.GetInt("registrator.sharding.number-of-shards"), settings.Sharding.NumberOfShards);
        Assert.Equal(file.GetString("registrator.sharding.role"), settings.Sharding.Role);

        var camera = settings.CameraReader;
        Assert.Empty(settings.Cameras);
        Assert.Equal(file.GetDouble("registrator.camera-reader.fps"), camera.Fps);
        Assert.Equal(file.GetBoolean("registrator.camera-reader.loop"), camera.Loop);
        Assert.Equal(file.GetTimeSpan("registrator.camera-reader.ask-timeout"), camera.AskTimeout);
        Assert.Equal(file.GetTimeSpan("registrator.camera-reader.min-backoff"), camera.MinBackoff);
        Assert.Equal(file.GetTimeSpan("registrator.camera-reader.max-backoff"), camera.MaxBackoff);
        Assert.Equal(file.GetDouble("registrator.camera-reader.random-factor"), camera.RandomFactor);
        Assert.Equal(file.GetTimeSpan("registrator.camera-reader.rejection-log-interval"), camera.RejectionLogInterval);

        var nats = settings.Nats;
        Assert.Equal(file.GetStringList("registrator.nats.servers"), nats.Servers);
        Assert.Equal(file.GetString("registrator.nats.client-name"), nats.ClientName);
        Assert.Equal((null, null, null, null, null), (nats.User, nats.Password, nats.Token, nats.CredentialsFile, nats.NKeyFile));
        Assert.Equal(file.GetString("registrator.nats.tls.mode"), nats.TlsMode.ToString().ToLowerInvariant());
        Assert.Equal(file.GetTimeSpan("registrator.nats.connect-timeout"), nats.ConnectTimeout);
        Assert.Equal(file.GetTimeSpan("registrator.nats.reconnect-wait-min"), nats.ReconnectWaitMin);
        Assert.Equal(file.GetTimeSpan("registrator.nats.reconnect-wait-max"), nats.ReconnectWaitMax);
        Assert.Equal(file.GetString("registrator.nats.queue-group"), nats.QueueGroup);
        Assert.Equal(file.GetString("registrator.nats.results-subject"), nats.ResultsSubject);
        Assert.Equal(file.GetString("registrator.nats.frames-subject"), nats.FramesSubject);
        Assert.Equal(file.GetString("registrator.nats.commands-subject"), nats.CommandsSubject);
        Assert.Equal(file.GetString("registrator.nats.events-subject"), nats.EventsSubject);
        Assert.Equal(file.GetString("registrator.nats.started-subject"), nats.StartedSubject);
        Assert.Equal(file.GetString("registrator.nats.key-field"), nats.KeyField);
        Assert.Equal(file.GetDouble("registrator.nats.min-score"), nats.MinScore);
        Assert.Equal(file.GetByteSize("registrator.nats.max-payload"), nats.MaxPayload);
        Assert.Equal(file.GetByteSize("registrator.nats.max-frame-payload"), nats.MaxFramePayload);
        Assert.Equal(file.GetInt("registrator.nats.pending-capacity"), nats.PendingCapacity);
        Assert.Equal(file.GetInt("registrator.nats.results-pending-capacity"), nats.ResultsPendingCapacity);
        Assert.Equal(file.GetInt("registrator.nats.frame-pending-capacity"), nats.FramePendingCapacity);
        Assert.Equal(file.GetString("registrator.nats.pending-full-mode"), nats.PendingFullMode.ToString().ToLowerInvariant());
        Assert.Equal(file.GetInt("registrator.nats.parallelism"), nats.Parallelism);
        Assert.Equal(file.GetInt("registrator.nats.results-in-flight"), nats.ResultsInFlight);
        Assert.Equal(file.GetInt("registrator.nats.results-batch"), nats.ResultsBatch);
        Assert.Equal(file.GetTimeSpan("registrator.nats.results-batch-window"), nats.ResultsBatchWindow);
        Assert.Equal(file.GetInt("registrator.nats.decode-parallelism"), nats.DecodeParallelism);
        Assert.Equal(file.GetTimeSpan("registrator.nats.ask-timeout"), nats.AskTimeout);
        Assert.Equal(file.GetTimeSpan("registrator.nats.register-timeout"), nats.RegisterTimeout);
        Assert.Equal(file.GetInt("registrator.nats.events-buffer"), nats.EventsBuffer);
        Assert.Equal(file.GetTimeSpan("registrator.nats.bad-input-log-interval"), nats.BadInputLogInterval);
        Assert.Equal(file.GetTimeSpan("registrator.nats.subscribe-min-backoff"), nats.SubscribeMinBackoff);
        Assert.Equal(file.GetTimeSpan("registrator.nats.subscribe-max-backoff"), nats.SubscribeMaxBackoff);
        Assert.Equal(file.GetDouble("registrator.nats.subscribe-random-factor"), nats.SubscribeRandomFactor);

        var redis = settings.Redis;
        Assert.Equal((file.GetString("registrator.redis.host"), file.GetInt("registrator.redis.port")), (redis.Host, redis.Port));
        Assert.Equal((null, null), (redis.User, redis.Password));
        Assert.Equal((file.GetInt("registrator.redis.database"), file.GetBoolean("registrator.redis.ssl")), (redis.Database, redis.Ssl));
        Assert.Equal(file.GetTimeSpan("registrator.redis.connect-timeout"), redis.ConnectTimeout);
        Assert.Equal(file.GetTimeSpan("registrator.redis.command-timeout"), redis.CommandTimeout);
        Assert.Equal(file.GetTimeSpan("registrator.redis.reconnect-min-backoff"), redis.ReconnectMinBackoff);
        Assert.Equal(file.GetTimeSpan("registrator.redis.reconnect-max-backoff"), redis.ReconnectMaxBackoff);
        Assert.Equal(file.GetString("registrator.redis.client-name"), redis.ClientName);

        var events = settings.Events;
        Assert.Equal(file.GetString("registrator.events.store"), events.StoreName);
        Assert.Equal(file.GetString("registrator.events.sorted-set-key"), events.Keys.SortedSet);
        Assert.Equal(file.GetString("registrator.events.list-key-prefix"), events.Keys.ListPrefix);
        Assert.Equal(file.GetString("registrator.events.list-ids-key-prefix"), events.Keys.ListIdsPrefix);
        Assert.Null(events.OutboxPath);
        Assert.Equal(file.GetInt("registrator.events.compact-after"), events.CompactAfter);
        Assert.Equal(file.GetInt("registrator.events.poison-attempts"), events.PoisonAttempts);
        Assert.Equal(file.GetInt("registrator.events.max-queued"), events.MaxQueued);
        Assert.Equal(file.GetTimeSpan("registrator.events.min-backoff"), events.MinBackoff);
        Assert.Equal(file.GetTimeSpan("registrator.events.max-backoff"), events.MaxBackoff);
        Assert.Equal(file.GetDouble("registrator.events.random-factor"), events.RandomFactor);
        Assert.Equal(file.GetTimeSpan("registrator.events.unreachable-log-interval"), events.UnreachableLogInterval);
        var retention = events.Retention;
        Assert.Equal(file.GetTimeSpan("registrator.events.retention.interval"), retention.Interval);
        Assert.Equal(file.GetTimeSpan("registrator.events.retention.max-age"), retention.MaxAge);
        Assert.Equal(file.GetLong("registrator.events.retention.max-events"), retention.MaxEvents);
        Assert.Null(retention.NodeName);
        Assert.Equal(file.GetTimeSpan("registrator.events.retention.heartbeat-interval"), retention.HeartbeatInterval);
        Assert.Equal(file.GetTimeSpan("registrator.events.retention.abandon-after"), retention.AbandonAfter);
        Assert.Equal(file.GetTimeSpan("registrator.events.retention.orphan-sweep-interval"), retention.OrphanSweepInterval);
        Assert.Equal(file.GetTimeSpan("registrator.events.retention.orphan-grace"), retention.OrphanGrace);
        Assert.Equal(file.GetTimeSpan("registrator.events.retention.store-timeout"), retention.StoreTimeout);

        Assert.Equal(file.GetBoolean("registrator.http.enabled"), http.Enabled);
        Assert.Equal(file.GetString("registrator.http.listen"), http.Listen.ToString());
        Assert.Null(http.Token);
        Assert.Equal(file.GetTimeSpan("registrator.http.ask-timeout"), http.AskTimeout);
        Assert.Equal(file.GetInt("registrator.http.default-page-size"), http.DefaultPageSize);
        Assert.Equal(file.GetInt("registrator.http.max-page-size"), http.MaxPageSize);
        Assert.Equal(file.GetTimeSpan("registrator.http.ready-timeout"), http.ReadyTimeout);
        Assert.Equal(file.GetTimeSpan("registrator.http.stream-heartbeat"), http.StreamHeartbeat);
        Assert.Null(http.PublicUrl);
        Assert.Equal(file.GetTimeSpan("registrator.http.proxy-timeout"), http.ProxyTimeout);

        Assert.Equal(file.GetString("registrator.cluster.formation"), formation.Mode.ToString().ToLowerInvariant());
        Assert.Equal(file.GetString("registrator.cluster.bootstrap.discovery"), formation.Discovery.ToString().ToLowerInvariant());
        Assert.Equal(file.GetString("registrator.cluster.bootstrap.service-name"), formation.ServiceName);
        Assert.Equal(file.GetInt("registrator.cluster.bootstrap.required-contact-points"), formation.RequiredContactPoints);
        Assert.Equal(file.GetTimeSpan("registrator.cluster.bootstrap.stable-margin"), formation.StableMargin);
        Assert.Null(formation.ManagementHostname);
        Assert.Equal(file.GetInt("registrator.cluster.bootstrap.management.port"), formation.ManagementPort);
        Assert.Null(formation.KubernetesNamespace);
        Assert.Equal(file.GetString("registrator.cluster.bootstrap.kubernetes.label-selector"), formation.KubernetesLabelSelector);
        Assert.Equal(file.GetString("registrator.cluster.bootstrap.kubernetes.port-name"), formation.KubernetesPortName);
    }

    [Fact]
    public void The_embedded_defaults_are_the_shipped_file()
    {
        Assert.Equal(RegistratorLeaves(ShippedFile()), RegistratorLeaves(RegistratorConfig.Defaults));
    }

    private static void ParseAll(Config config)
    {
        RegistratorSettings.From(config);
        HttpSettings.From(config);
        FormationSettings.From(config);
        HandoffTimeouts.Apply(config);
    }

    /// <summary>hocon/registrator.conf of the repository, as it ships.</summary>
    private static Config ShippedFile()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var file = Path.Combine(folder.FullName, "hocon", "registrator.conf");
            if (File.Exists(file)) return ConfigurationFactory.ParseString(File.ReadAllText(file));
        }
        throw new FileNotFoundException("hocon/registrator.conf above " + AppContext.BaseDirectory);
    }

    /// <summary>Every value under <c>registrator</c> that is not an object, by its full path, as HOCON text.</summary>
    private static (string Path, string Value)[] RegistratorLeaves(Config config) => Leaves(config.GetValue("registrator"), "registrator").ToArray();

    private static IEnumerable<(string Path, string Value)> Leaves(HoconValue value, string path)
    {
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                foreach (var leaf in Leaves(child, path.Length == 0 ? key : $"{path}.{key}")) yield return leaf;
            }
            yield break;
        }
        yield return (path, value.IsArray() ? "[" + string.Join(", ", value.GetArray().Select(Text)) + "]" : Text(value));
    }

    // Quoted: HOCON reads a quoted "5s", "512MiB", "on" or "300" as the duration, size, flag or number it spells.
    private static string Text(HoconValue value) => value.IsString()
        ? System.Text.Json.JsonSerializer.Serialize(value.GetString())
        : "{}";

    private static Config Render(IEnumerable<(string Path, string Value)> leaves)
    {
        var text = new StringBuilder();
        foreach (var (path, value) in leaves)
        {
            var quoted = string.Join(".", path.Split('.').Select(segment => $"\"{segment}\""));
            text.Append(CultureInfo.InvariantCulture, $"{quoted} = {value}\n");
        }
        return ConfigurationFactory.ParseString(text.ToString());
    }
}
