using System.Collections;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Xunit;

namespace Registrator.Actors.Tests.Configuration;

public sealed class RegistratorConfigSpec
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var settings = RegistratorSettings.From(RegistratorConfig.Load(environment: new Hashtable()));
        Assert.Equal(300, settings.Task.MaxFrames);
        Assert.Equal(10_000, settings.Task.MaxStatuses);
        Assert.Equal(512L * 1024 * 1024, settings.Task.MaxBufferBytes);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Task.ReorderWindow);
        Assert.Equal(10, settings.Media.Encoder.EffectiveKeyint);
        Assert.Equal(100, settings.Sharding.NumberOfShards);
        Assert.Equal("registrator", settings.Sharding.Role);
        Assert.Equal("/tmp", settings.Media.OutputPath);
        Assert.Equal((10, "veryfast", 23, 90), (settings.Media.Encoder.FramesPerSecond, settings.Media.Encoder.Preset, settings.Media.Encoder.Crf, settings.Media.Encoder.JpegQuality));
        Assert.Equal(Environment.ProcessorCount, settings.Media.PoolSize);
    }

    [Fact]
    public void Environment_variables_override_the_file_and_inline_HOCON_overrides_both()
    {
        var env = new Hashtable
        {
            ["TMP_PATH"] = "/var/lib/registrator",
            ["REDIS_HOST"] = "redis.internal",
            ["REDIS_PORT"] = "6380",
            ["NATS_HOST"] = "nats://a:4222, nats://b:4222",
            ["REGISTRATOR_HOSTNAME"] = "10.1.2.3",
            ["REGISTRATOR_PORT"] = "4053",
            ["REGISTRATOR_SEEDS"] = "akka.tcp://registrator@10.1.2.3:4053,akka.tcp://registrator@10.1.2.4:4053",
            ["REGISTRATOR_ROLES"] = "registrator,camera",
            ["REGISTRATOR_HTTP"] = "0.0.0.0:8080",
        };
        var config = RegistratorConfig.Load("registrator.redis.port = 7000", env);

        Assert.Equal("/var/lib/registrator", config.GetString("registrator.media.output-path"));
        Assert.Equal("redis.internal", config.GetString("registrator.redis.host"));
        Assert.Equal(7000, config.GetInt("registrator.redis.port"));
        Assert.Equal(["nats://a:4222", "nats://b:4222"], config.GetStringList("registrator.nats.servers"));
        Assert.Equal("10.1.2.3", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4053, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(2, config.GetStringList("akka.cluster.seed-nodes").Count);
        Assert.Equal(["registrator", "camera"], config.GetStringList("akka.cluster.roles"));
        Assert.Equal("0.0.0.0:8080", config.GetString("registrator.http.listen"));
    }

    [Fact]
    public void Values_with_quotes_and_unicode_survive_the_override()
    {
        var config = RegistratorConfig.Load(environment: new Hashtable { ["TMP_PATH"] = "/data/\"клипы\" ${x}" });
        Assert.Equal("/data/\"клипы\" ${x}", config.GetString("registrator.media.output-path"));
    }

    [Fact]
    public void A_port_that_is_not_a_number_is_a_clear_error()
    {
        var error = Assert.Throws<FormatException>(() => RegistratorConfig.Load(environment: new Hashtable { ["REDIS_PORT"] = "six" }));
        Assert.Contains("REDIS_PORT", error.Message);
    }

    [Fact]
    public void A_non_positive_bound_is_a_clear_error()
    {
        var config = RegistratorConfig.Load("registrator.task.max-frames = 0", new Hashtable());
        var error = Assert.Throws<ConfigurationException>(() => RegistratorSettings.From(config));
        Assert.Contains("max-frames", error.Message);
    }
}

public sealed class CameraConfigSpec
{
    [Fact]
    public void Cameras_are_read_from_HOCON_with_their_defaults()
    {
        var config = RegistratorConfig.Load("""
            registrator.cameras = [
              { key = "gate/1", source = "/data/gate.mp4" },
              { key = "камера", source = "rtsp://10.0.0.9/stream", fps = 5, loop = off }
            ]
            """, new Hashtable());
        var cameras = RegistratorSettings.From(config).Cameras;
        Assert.Equal(2, cameras.Count);
        Assert.Equal(new Registrator.Actors.Configuration.CameraSettings("gate/1", "/data/gate.mp4", 10, true, RegistratorSettings.Defaults.CameraReader), cameras[0]);
        Assert.Equal(new Registrator.Actors.Configuration.CameraSettings("камера", "rtsp://10.0.0.9/stream", 5, false, RegistratorSettings.Defaults.CameraReader), cameras[1]);
    }

    [Fact]
    public void A_camera_without_a_source_is_a_clear_error()
    {
        var config = RegistratorConfig.Load("registrator.cameras = [ { key = \"a\" } ]", new Hashtable());
        Assert.Contains("cameras[0]", Assert.Throws<ConfigurationException>(() => RegistratorSettings.From(config)).Message);
    }

    [Fact]
    public void No_cameras_by_default() => Assert.Empty(RegistratorSettings.From(RegistratorConfig.Load(environment: new Hashtable())).Cameras);
}
