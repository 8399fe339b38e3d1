using System.Collections;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Xunit;

namespace Registrator.Actors.Tests.Configuration;

/// <summary>
/// The one reader every settings type parses with: a bad value is refused naming its full HOCON path, the environment
/// variable that sets it and the value; a missing key is an error, never a default made up in C#.
/// </summary>
public sealed class SettingsReaderSpec
{
    [Theory]
    [InlineData("registrator.task.max-frames = 0", "registrator.task.max-frames must be positive, got 0")]
    [InlineData("registrator.media.pool-size = -1", "registrator.media.pool-size must not be negative, got -1")]
    [InlineData("registrator.task.reorder-window = -1s", "registrator.task.reorder-window must be a duration such as 5s or 200ms, got -1s")]
    [InlineData("registrator.task.max-statuses = many", "registrator.task.max-statuses must be an integer, got many")]
    [InlineData("registrator.task.passivate-after = soon", "registrator.task.passivate-after must be a duration such as 5s or 200ms, got soon")]
    [InlineData("registrator.task.max-buffer-bytes = 0", "registrator.task.max-buffer-bytes must be positive, got 0")]
    [InlineData("registrator.redis.port = 70000", "registrator.redis.port (REDIS_PORT) must be 1..65535, got 70000")]
    [InlineData("registrator.redis.host = \" \"", "registrator.redis.host (REDIS_HOST) must not be empty")]
    [InlineData("registrator.media.output-path = \"\"", "registrator.media.output-path (TMP_PATH) must not be empty")]
    [InlineData("registrator.nats.tls.mode = always", "registrator.nats.tls.mode must be auto, prefer, require, implicit or disable, got \"always\"")]
    [InlineData("registrator.nats.max-payload = 4GiB", "registrator.nats.max-payload must be between 1 byte and 2GiB, got 4GiB")]
    [InlineData("registrator.nats.servers = []", "registrator.nats.servers (NATS_HOST) must list at least one server")]
    [InlineData("registrator.nats.subscribe-max-backoff = 100ms", "registrator.nats.subscribe-max-backoff must not be below subscribe-min-backoff, got 100ms")]
    [InlineData("registrator.sharding.number-of-shards = 0", "registrator.sharding.number-of-shards must be positive, got 0")]
    [InlineData("registrator.sharding.role = \"\"", "registrator.sharding.role must not be empty")]
    [InlineData("registrator.camera-reader.ask-timeout = 0s", "registrator.camera-reader.ask-timeout must be positive, got 0s")]
    [InlineData("registrator.camera-reader.random-factor = 2", "registrator.camera-reader.random-factor must be in [0, 1], got 2")]
    [InlineData("registrator.camera-reader.fps = 0", "registrator.camera-reader.fps must be in (0, 240], got 0")]
    [InlineData("registrator.cameras = [ { key = \"a\", source = \"b\", fps = 500 } ]", "registrator.cameras[0].fps must be in (0, 240], got 500")]
    [InlineData("registrator.cameras = [ { key = \"a\" } ]", "registrator.cameras[0].source is missing")]
    [InlineData("registrator.events.retention.store-timeout = 0s", "registrator.events.retention.store-timeout must be positive, got 0s")]
    [InlineData("registrator.trigger.ratio = 1", "registrator.trigger.ratio must be in [0, 1), got 1")]
    public void A_bad_value_is_refused_naming_its_key_and_value(string hocon, string message)
    {
        var config = RegistratorConfig.Load(hocon, new Hashtable());

        var error = Assert.Throws<ConfigurationException>(() => RegistratorSettings.From(config));

        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_missing_key_is_an_error_naming_it_not_a_default()
    {
        var section = ConfigurationFactory.ParseString("number-of-shards = 10");

        var error = Assert.Throws<ConfigurationException>(() => ShardingSettings.From(section));

        Assert.StartsWith("registrator.sharding.role is missing", error.Message);
        Assert.Contains("RegistratorConfig", error.Message);
    }

    [Fact]
    public void A_missing_section_is_an_error_naming_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => RegistratorSettings.From(ConfigurationFactory.ParseString("akka.loglevel = INFO")));

        Assert.StartsWith("registrator is missing", error.Message);
    }

    [Fact]
    public void A_section_in_front_of_the_shipped_defaults_takes_the_rest_from_the_file()
    {
        var sharding = ShardingSettings.From(ConfigurationFactory.ParseString("number-of-shards = 10")
            .WithFallback(RegistratorConfig.Defaults.GetConfig(ShardingSettings.ConfigPath)));

        Assert.Equal(new ShardingSettings { NumberOfShards = 10, Role = RegistratorConfig.Defaults.GetString("registrator.sharding.role") }, sharding);
    }

    [Fact]
    public void Choices_ignore_case_and_blanks_as_environment_variables_are_typed_by_hand()
    {
        var config = RegistratorConfig.Load("registrator.trigger.policy = \" Span \"", new Hashtable());

        Assert.Equal(TriggerPolicy.Span, RegistratorSettings.From(config).Task.Trigger.Policy);
    }

    [Fact]
    public void The_role_and_shard_count_come_from_the_settings()
    {
        var settings = RegistratorSettings.From(RegistratorConfig.Load(
            "registrator.sharding { role = \"video\", number-of-shards = 7 }", new Hashtable()));

        Assert.Equal(("video", 7), (settings.Sharding.Role, settings.Sharding.NumberOfShards));
    }
}
