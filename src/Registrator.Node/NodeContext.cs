using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Hosting;
using Registrator.Actors.Configuration;
using Registrator.Actors.EventStore;
using Registrator.Actors.Metrics;
using Registrator.Actors.Nats;
using Registrator.Actors.Redis;
using Registrator.Node.Configuration;
using Registrator.Node.Http;
using Registrator.Node.Http.Events;
using Registrator.Node.Urls;

namespace Registrator.Node;

/// <summary>
/// What one node shares between its actors and its HTTP side: settings parsed once, the one Redis connection, the
/// metrics, the NATS bridge's counters and connection state, the event feed of the page, and the actor system once
/// Akka.Hosting has started it. A DI singleton; the container disposes it (the Redis connection and the meter) after
/// the actor system has stopped.
/// </summary>
internal sealed class NodeContext(RegistratorSettings settings, HttpSettings http, RegistratorMetrics metrics) : IDisposable
{
    private ActorSystem? _system;
    private string? _publicUrl;
    private NodeUrlRegistry? _nodeUrls;

    public RegistratorSettings Settings { get; } = settings;
    public HttpSettings Http { get; } = http;
    /// <summary>How the node finds its cluster (seeds or Cluster Bootstrap).</summary>
    public required FormationSettings Formation { get; init; }
    public RegistratorMetrics Metrics { get; } = metrics;
    public RedisConnection Redis { get; } = new(settings.Redis);
    public BadInputCounters BadInputs { get; } = new();
    public NatsConnectivity Nats { get; } = new();
    public EventFeed Feed { get; } = new();
    /// <summary>Proxies /media requests for files another node wrote.</summary>
    public MediaProxy Proxy { get; } = new(http);

    /// <summary>Every node's current HTTP URL by <c>node_id</c> (this node's included once started with HTTP).</summary>
    public NodeUrlRegistry NodeUrls => LazyInitializer.EnsureInitialized(ref _nodeUrls,
        () => new NodeUrlRegistry(Redis, OwnNodeId(), () => PublicUrl));

    /// <summary>
    /// This node's HTTP base URL as other nodes reach it (the <c>node</c> of the events it records); <c>null</c> while
    /// unknown (HTTP off, or listening on port 0 and not yet started).
    /// </summary>
    public string? PublicUrl
    {
        get => Volatile.Read(ref _publicUrl);
        set => Volatile.Write(ref _publicUrl, value);
    }

    /// <summary>The node's actor system; <c>null</c> until its actors have started.</summary>
    public ActorSystem? System => Volatile.Read(ref _system);

    /// <summary>True when this node hosts task shards (and so runs the encoders, the event store and the NATS bridge).</summary>
    public bool HostsShards { get; private set; }

    /// <summary>
    /// The task shard region (or proxy) from the actor registry, where Akka.Hosting registered it under
    /// <see cref="TaskRegion"/>; <c>false</c> until the node's actors have started.
    /// </summary>
    public bool TryGetRegion([NotNullWhen(true)] out ActorSystem? system, [NotNullWhen(true)] out IActorRef? region)
    {
        region = null;
        system = System;
        return system is not null && ActorRegistry.For(system).TryGet<TaskRegion>(out region);
    }

    /// <summary>Called once the node's actors are running (after its region is in the registry).</summary>
    public void Started(ActorSystem system, bool hostsShards)
    {
        HostsShards = hostsShards;
        Volatile.Write(ref _system, system);
    }

    /// <summary>The <c>node_id</c> this node's events carry; <c>null</c> when its output folder cannot be used (no events either).</summary>
    private string? OwnNodeId()
    {
        try
        {
            return NodeName.Resolve(Settings.Events.Retention.NodeName, Settings.Media.OutputPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _nodeUrls?.Dispose();
        Redis.Dispose();
        Metrics.Dispose();
        Proxy.Dispose();
    }
}
