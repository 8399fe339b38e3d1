using System.Collections;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.Redis;

namespace Registrator.Integration.Tests.Events;

/// <summary>The <c>registrator.redis</c> and <c>registrator.events</c> sections as hocon/registrator.conf and the environment give them.</summary>
public sealed class EventStoreSettingsSpec
{
    [Fact]
    public void The_embedded_configuration_gives_the_documented_defaults()
    {
        var config = RegistratorConfig.Load(environment: new Hashtable());

        Assert.Equal(new RedisSettings(), RedisSettings.From(config.GetConfig("registrator.redis")));
        Assert.Equal(new EventStoreSettings(), EventStoreSettings.From(config.GetConfig("registrator.events")));
        Assert.Equal("/tmp", EventStoreActor.OutputPathOf(config));
        Assert.Null(new EventStoreSettings().OutboxPath);
        Assert.Equal((5, 10_000), (new EventStoreSettings().PoisonAttempts, new EventStoreSettings().CompactAfter));
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
    public void A_configuration_without_the_sections_falls_back_to_the_defaults()
    {
        var empty = ConfigurationFactory.ParseString("akka.loglevel = INFO");

        Assert.Equal(new RedisSettings(), RedisSettings.From(empty.GetConfig("registrator.redis")));
        Assert.Equal(new EventStoreSettings(), EventStoreSettings.From(empty.GetConfig("registrator.events")));
        Assert.Equal("/tmp", EventStoreActor.OutputPathOf(empty));
    }

    [Fact]
    public void A_password_never_appears_in_the_settings_text()
    {
        var redis = RedisSettings.From(ConfigurationFactory.ParseString("password = \"s3cret\""));

        Assert.Equal("s3cret", redis.Password);
        Assert.DoesNotContain("s3cret", redis.ToString());
    }

    [Theory]
    [InlineData("store = zset")]
    [InlineData("max-queued = 0")]
    [InlineData("min-backoff = 2s\nmax-backoff = 1s")]
    [InlineData("list-ids-key-prefix = \"custom_events:\"")]
    [InlineData("retention.max-events = -1")]
    [InlineData("retention.heartbeat-interval = 0s")]
    [InlineData("retention { heartbeat-interval = 1m, abandon-after = 2m }")]
    [InlineData("retention.orphan-grace = 0s")]
    public void Out_of_range_event_settings_are_refused_with_the_key_named(string hocon)
    {
        var ex = Assert.Throws<ConfigurationException>(() => EventStoreSettings.From(ConfigurationFactory.ParseString(hocon)));
        Assert.Contains("registrator.events.", ex.Message);
    }

    [Fact]
    public void Retention_keys_are_read_with_the_node_name_trimmed()
    {
        var retention = EventStoreSettings.From(ConfigurationFactory.ParseString("""
            retention { node-name = " node-a ", heartbeat-interval = 10s, abandon-after = 0s, orphan-sweep-interval = 0s, orphan-grace = 5m }
            """)).Retention;

        Assert.Equal(
            new RetentionSettings
            {
                NodeName = "node-a", HeartbeatInterval = TimeSpan.FromSeconds(10), AbandonAfter = TimeSpan.Zero,
                OrphanSweepInterval = TimeSpan.Zero, OrphanGrace = TimeSpan.FromMinutes(5),
            },
            retention);
    }
}
