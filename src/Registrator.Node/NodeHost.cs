using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registrator.Actors.Cameras;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Events;
using Registrator.Actors.Nats;
using Registrator.Actors.Tasks;
using Registrator.Contracts;

namespace Registrator.Node;

/// <summary>
/// Builds a node: Microsoft.Extensions.Hosting with Akka.Hosting, the configuration from hocon/ and the environment,
/// Akka's logging bridged to Microsoft.Extensions.Logging, and the node's actors. SIGTERM stops the host, which runs
/// Akka's CoordinatedShutdown: the node hands its shards off and leaves the cluster before the process exits.
/// </summary>
public static class NodeHost
{
    public const string SystemName = "registrator";

    public static async Task<int> RunAsync(FileInfo? configFile, CancellationToken cancellation)
    {
        var overrides = configFile is null ? null : ConfigurationFactory.ParseString(await File.ReadAllTextAsync(configFile.FullName, cancellation));
        using var host = Build(RegistratorConfig.Load(overrides));
        await host.RunAsync(cancellation);
        return 0;
    }

    /// <summary>A node host for <paramref name="config"/> (already layered: overrides, environment, defaults).</summary>
    public static IHost Build(Config config, Action<ILoggingBuilder>? logging = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        logging?.Invoke(builder.Logging);
        // Bad NATS input of this node, by reason: a service so the HTTP/metrics side can read it.
        var badInputs = new BadInputCounters();
        builder.Services.AddSingleton(badInputs);
        builder.Services.AddAkka(SystemName, akka =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithActors((system, registry) => StartNode(system, registry, badInputs));
        });
        return builder.Build();
    }

    private static void StartNode(ActorSystem system, IActorRegistry registry, BadInputCounters badInputs)
    {
        var settings = RegistratorSettings.From(system);
        var cluster = Cluster.Get(system);
        // A node given no seeds forms its own cluster, so one command starts a working single node.
        if (system.Settings.Config.GetStringList("akka.cluster.seed-nodes").Count == 0)
            cluster.Join(cluster.SelfAddress);

        if (!cluster.SelfRoles.Contains(settings.Sharding.Role))
        {
            registry.Register<TaskRegion>(RegistratorCluster.StartTaskProxy(system, settings.Sharding.NumberOfShards));
            return;
        }

        var encoders = EncoderPool.Start(system, settings.Media);
        registry.Register<EncoderPoolKey>(encoders);
        var events = system.ActorOf(EventStoreActor.Props(settings.Events, settings.Redis, settings.Media.OutputPath), EventStoreActor.DefaultName);
        registry.Register<EventStoreKey>(events);
        var budget = new FrameMemoryBudget(settings.Task.MaxBufferBytes);
        var region = TaskSharding.StartRegion(system, settings, new TaskDependencies(budget, encoders, events));
        registry.Register<TaskRegion>(region);

        system.ActorOf(NatsBridge.Props(settings.Nats, region, badInputs), "nats-bridge");

        foreach (var camera in settings.Cameras)
            system.ActorOf(CameraActor.Props(camera, region), "camera-" + Uri.EscapeDataString(camera.Key));
    }
}
