using System.Collections;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Actors.EventStore;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>The <c>registrator.redis</c> and <c>registrator.events</c> sections as hocon/registrator.conf and the environment give them.</summary>
public sealed class EventStoreSettingsSpec
{
    [Fact]
    public void The_embedded_configuration_gives_the_documented_defaults()
    {
        var config = RegistratorConfig.Load(environment: new Hashtable());

        var redis = RedisSettings.From(config.GetConfig("registrator.redis"));
        Assert.Equal(("localhost", 6379, 0, false), (redis.Host, redis.Port, redis.Database, redis.Ssl));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)), (redis.ConnectTimeout, redis.CommandTimeout));
        Assert.Equal((TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5)), (redis.ReconnectMinBackoff, redis.ReconnectMaxBackoff));
        Assert.Null(redis.User);
        Assert.Null(redis.Password);
        var events = EventStoreSettings.From(config.GetConfig("registrator.events"));
        Assert.Equal(EventStoreKind.SortedSet, events.Store);
        Assert.Equal(("events", "custom_events:", "custom_event_ids:"), (events.Keys.SortedSet, events.Keys.ListPrefix, events.Keys.ListIdsPrefix));
        Assert.Equal("/tmp", EventStoreActor.OutputPathOf(config));
        Assert.Null(events.OutboxPath);
        Assert.Equal((5, 10_000), (events.PoisonAttempts, events.CompactAfter));
    }

    [Fact]
    public void REDIS_HOST_REDIS_PORT_and_TMP_PATH_point_the_store_elsewhere()
    {
        var config = RegistratorConfig.Load(environment: new Hashtable { ["REDIS_HOST"] = "redis.internal", ["REDIS_PORT"] = "6380", ["TMP_PATH"] = "/data/clips" });

        var redis = RedisSettings.From(config.GetConfig("registrator.redis"));
        Assert.Equal(("redis.internal", 6380), (redis.Host, redis.Port));
        var outputPath = EventStoreActor.OutputPathOf(config);
        Assert.Equal("/data/clips", outputPath);
        Assert.Null(EventStoreSettings.From(config.GetConfig("registrator.events")).OutboxPath);
    }

    [Fact]
    public void A_configuration_without_the_sections_is_an_error_naming_them()
    {
        var empty = ConfigurationFactory.ParseString("akka.loglevel = INFO");

        Assert.Contains("registrator.redis is missing", Assert.Throws<ConfigurationException>(() => RedisSettings.From(empty.GetConfig("registrator.redis"))).Message);
        Assert.Contains("registrator.events is missing", Assert.Throws<ConfigurationException>(() => EventStoreSettings.From(empty.GetConfig("registrator.events"))).Message);
        Assert.Contains("registrator.media is missing", Assert.Throws<ConfigurationException>(() => EventStoreActor.OutputPathOf(empty)).Message);
    }

    [Fact]
    public void A_password_never_appears_in_the_settings_text()
    {
        var redis = RedisSettings.From(Redis("password = \"s3cret\""));

        Assert.Equal("s3cret", redis.Password);
        Assert.DoesNotContain("s3cret", redis.ToString());
    }

    [Theory]
    [InlineData("store = zset", "registrator.events.store must be sorted-set or list, got \"zset\"")]
    [InlineData("max-queued = 0", "registrator.events.max-queued must be positive, got 0")]
    [InlineData("min-backoff = 2s\nmax-backoff = 1s", "registrator.events.max-backoff must not be below min-backoff, got 1s")]
    [InlineData("list-ids-key-prefix = \"custom_events:\"", "registrator.events.list-ids-key-prefix must differ from list-key-prefix, got custom_events:")]
    [InlineData("retention.max-events = -1", "registrator.events.retention.max-events must not be negative, got -1")]
    [InlineData("retention.heartbeat-interval = 0s", "registrator.events.retention.heartbeat-interval must be positive, got 0s")]
    [InlineData("retention { heartbeat-interval = 1m, abandon-after = 2m }", "registrator.events.retention.abandon-after must be 0s or at least 3 × heartbeat-interval")]
    [InlineData("retention.orphan-grace = 0s", "registrator.events.retention.orphan-grace must be positive, got 0s")]
    public void Out_of_range_event_settings_are_refused_with_the_key_named(string hocon, string message)
    {
        var ex = Assert.Throws<ConfigurationException>(() => EventStoreSettings.From(Events(hocon)));
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void Retention_keys_are_read_with_the_node_name_trimmed()
    {
        var retention = EventStoreSettings.From(Events("""
            retention { node-name = " node-a ", heartbeat-interval = 10s, abandon-after = 0s, orphan-sweep-interval = 0s, orphan-grace = 5m }
            """)).Retention;

        Assert.Equal(
            RegistratorSettings.Defaults.Events.Retention with
            {
                NodeName = "node-a", HeartbeatInterval = TimeSpan.FromSeconds(10), AbandonAfter = TimeSpan.Zero,
                OrphanSweepInterval = TimeSpan.Zero, OrphanGrace = TimeSpan.FromMinutes(5),
            },
            retention);
    }

    /// <summary><c>registrator.events</c> with <paramref name="hocon"/> on top of the shipped file.</summary>
    private static Config Events(string hocon) =>
        RegistratorConfig.Load($"registrator.events {{\n{hocon}\n}}", new Hashtable()).GetConfig("registrator.events");

    private static Config Redis(string hocon) =>
        RegistratorConfig.Load($"registrator.redis {{\n{hocon}\n}}", new Hashtable()).GetConfig("registrator.redis");
}
