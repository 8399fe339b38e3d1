using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Registrator.Actors.Cameras;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.Metrics;
using Registrator.Actors.Nats;
using Registrator.Actors.Sharding;
using Registrator.Actors.Tasks;
using Registrator.Node.Configuration;
using Registrator.Node.Formation;
using Registrator.Node.Http;
using Registrator.Node.Http.Events;
using Registrator.Node.Urls;

namespace Registrator.Node;

/// <summary>
/// Builds a node: Microsoft.Extensions.Hosting with Akka.Hosting, the configuration from hocon/ and the environment,
/// Akka's logging bridged to Microsoft.Extensions.Logging, the node's actors, and (unless <c>registrator.http.enabled</c>
/// is off) Kestrel serving the HTTP API, the events page, health and Prometheus metrics. SIGTERM stops the host, which
/// runs Akka's CoordinatedShutdown: the node hands its shards off and leaves the cluster before the process exits.
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

    /// <summary>
    /// The host's content root: the node's own folder, not the folder it was started in. The host watches its content
    /// root, subfolders included, for an appsettings.json to reload; the node reads none (its configuration is HOCON),
    /// and started in /tmp with TMP_PATH=/tmp (the Python module's default) it would handle a file-system event for
    /// every clip, keyframe and log line written there.
    /// </summary>
    private static string ContentRoot => AppContext.BaseDirectory;

    /// <summary>A node host for <paramref name="config"/> (already layered: overrides, environment, defaults).</summary>
    /// <exception cref="ConfigurationException">A <c>registrator</c> key is out of range; the message names it.</exception>
    public static IHost Build(Config config, Action<ILoggingBuilder>? logging = null)
    {
        var http = HttpSettings.From(config);
        var formation = FormationSettings.From(config);
        var node = new NodeContext(RegistratorSettings.From(config), http, new RegistratorMetrics()) { Formation = formation };
        var clusterHost = ClusterHostOf(config);
        // Known before the server starts unless it listens on port 0; then set once Kestrel has bound (below).
        if (http.Enabled) node.PublicUrl = http.PublicUrl ?? NodeUrl.FromListen(http.Listen, clusterHost);
        if (!http.Enabled)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = ContentRoot });
            AddNode(builder, config, node, clusterHost, logging);
            return Owning(builder.Build());
        }

        var web = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = ContentRoot });
        AddNode(web, config, node, clusterHost, logging);
        web.WebHost.ConfigureKestrel(kestrel => http.Listen.ApplyTo(kestrel));
        web.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(SystemName))
            .WithMetrics(metrics => metrics.AddMeter(node.Metrics.MeterName).AddPrometheusExporter());
        var app = Owning(web.Build());
        HttpApi.Map(app, node);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (http.PublicUrl is null && HttpAddress(app) is { } listening) node.PublicUrl = NodeUrl.Derive(listening, clusterHost);
            LogListening(app, node);
        });
        return app;
    }

    /// <summary>
    /// Where the node's HTTP server listens once started (with port 0 resolved), e.g. <c>http://127.0.0.1:41234/</c>;
    /// <c>null</c> when HTTP is off or the host has not started.
    /// </summary>
    public static Uri? HttpAddress(IHost host)
    {
        var addresses = host.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses?.FirstOrDefault() is { } first ? new Uri(first.TrimEnd('/') + "/") : null;
    }

    /// <summary>The host name this node gives the cluster (REGISTRATOR_HOSTNAME): what other nodes reach it by.</summary>
    private static string? ClusterHostOf(Config config) =>
        config.GetString("akka.remote.dot-netty.tcp.public-hostname", "") is { Length: > 0 } name
            ? name
            : config.GetString("akka.remote.dot-netty.tcp.hostname", "");

    /// <summary>Resolves the node's context once, so the container owns it and disposes it with the host.</summary>
    private static T Owning<T>(T host) where T : IHost
    {
        host.Services.GetRequiredService<NodeContext>();
        return host;
    }

    private static void AddNode(IHostApplicationBuilder builder, Config config, NodeContext node, string? clusterHost, Action<ILoggingBuilder>? logging)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        // One line per request is noise next to the node's own log; failures still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        // The factory makes the container own the context: disposed (Redis connection, meter) after the actor system stopped.
        builder.Services.AddSingleton(_ => node);
        // Bad NATS input of this node, by reason: a service so the HTTP/metrics side can read it.
        builder.Services.AddSingleton(node.BadInputs);
        // Known from the configuration before the system exists: which of WithShardRegion / WithShardRegionProxy to add.
        var hostsShards = config.GetStringList("akka.cluster.roles").Contains(node.Settings.Sharding.Role);
        var budget = new FrameMemoryBudget(node.Settings.Task.MaxBufferBytes);
        builder.Services.AddAkka(SystemName, akka =>
        {
            akka.AddClusterFormation(node.Formation, clusterHost)
                .AddHocon(config, HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                });
            // Akka.Hosting runs these starters in order, each awaited: the region finds the encoders and the event store
            // in the registry, and what feeds the region finds it there once it has started.
            if (!hostsShards)
            {
                akka.WithActors((system, _) => StartCommon(system, node))
                    .WithTaskRegionProxy(node.Settings.Sharding)
                    .WithActors((system, _) => node.Started(system, hostsShards: false));
                return;
            }
            akka.WithActors((system, registry) => StartStores(system, StartCommon(system, node), registry, node, budget))
                .WithTaskRegion(node.Settings, (_, registry) => new TaskDependencies(budget, registry.Get<EncoderPoolKey>(), registry.Get<EventStoreKey>(),
                    new TaskHandoff(node.Redis, node.Settings.Task.StateTtl)) { NodeUrl = () => node.PublicUrl })
                .WithActors((system, registry) => StartInputs(system, registry.Get<TaskRegion>(), node));
        });
    }

    /// <summary>What every node runs, hosting tasks or not; returns the node's metrics.</summary>
    private static RegistratorMetrics StartCommon(ActorSystem system, NodeContext node)
    {
        // Before any actor that records: they all find the node's metrics through the extension.
        var metrics = RegistratorMetrics.Register(system, node.Metrics);
        metrics.ObserveBadInput(() => node.BadInputs.Snapshot().Select(pair => KeyValuePair.Create(pair.Key.Name(), pair.Value)));
        var cluster = Cluster.Get(system);
        // A node given no seeds forms its own cluster, so one command starts a working single node (never with
        // bootstrap, which decides who forms the cluster).
        if (node.Formation.JoinsSelf(system.Settings.Config)) cluster.Join(cluster.SelfAddress);
        if (node.Http.Enabled) system.ActorOf(EventFeedActor.Props(node.Feed), EventFeedActor.Name);
        return metrics;
    }

    /// <summary>What the tasks of a node hosting shards need before the region starts: encoders, event store, retention.</summary>
    private static void StartStores(ActorSystem system, RegistratorMetrics metrics, IActorRegistry registry, NodeContext node, FrameMemoryBudget budget)
    {
        var settings = node.Settings;
        var encoders = EncoderPool.Start(system, settings.Media);
        registry.Register<EncoderPoolKey>(encoders);
        var events = system.ActorOf(EventStoreActor.Props(settings.Events, node.Redis, settings.Media.OutputPath, () => node.PublicUrl), EventStoreActor.DefaultName);
        registry.Register<EventStoreKey>(events);
        // Deletes only this node's files; leaves other nodes' expired events to them (see RetentionPolicy).
        system.ActorOf(RetentionActor.Props(settings.Events, node.Redis, settings.Media.OutputPath, events), RetentionActor.DefaultName);
        metrics.ObserveFrameBuffer(() => (budget.UsedBytes, budget.MaxBytes));
    }

    /// <summary>What feeds the node's region once it has started: hand-off redelivery, the NATS bridge, the cameras.</summary>
    private static void StartInputs(ActorSystem system, IActorRef region, NodeContext node)
    {
        var settings = node.Settings;
        // What the region drops on a shard's hand-off goes back through it, so a moving shard loses no frame or status.
        system.ActorOf(HandOffRedelivery.Props(region), HandOffRedelivery.DefaultName);

        system.ActorOf(NatsBridge.Props(settings.Nats, region, node.BadInputs, node.Nats), "nats-bridge");

        // Each camera is read by one node of the cluster at a time, and moves when that node leaves.
        CameraReaders.Start(system, settings.Cameras, region, settings.Sharding.Role);
        node.Started(system, hostsShards: true);
    }

    private static void LogListening(WebApplication app, NodeContext node)
    {
        var address = HttpAddress(app)?.ToString() ?? node.Http.Listen.ToString();
        if (node.Http.Token is null && !node.Http.Listen.IsLoopback)
            app.Logger.LogWarning("HTTP on {Address} without a token: anyone who reaches this address can read every event and clip (set registrator.http.token)", address);
        else
            app.Logger.LogInformation("HTTP on {Address}: events page, /api, /media, /health, /metrics{TokenNote}", address,
                node.Http.Token is null ? "" : " (token required for /api and /media)");
    }
}
