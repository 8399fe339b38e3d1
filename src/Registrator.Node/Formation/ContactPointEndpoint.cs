using System.Collections.Immutable;
using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Newtonsoft.Json;
using static Akka.Management.Cluster.Bootstrap.ContactPoint.HttpBootstrapJsonProtocol;

namespace Registrator.Node.Formation;

/// <summary>
/// This node's Cluster Bootstrap contact point: <c>GET /bootstrap/seed-nodes</c> on <c>akka.management.http</c>'s host
/// and port, answered exactly as Akka.Management's own route does (the same protocol types, the same serializer), so
/// the other nodes' bootstrap probes read it. Served by Kestrel because Akka.Management's HTTP server (Akka.Http.Shim)
/// is built against Ceen.Httpd 0.9.9 and cannot start with the only Ceen.Httpd the registry serves (0.9.10: "Method not
/// found: HttpServer.ListenAsync"). Discovery, probing and the join decision stay Akka.Management's.
/// </summary>
internal sealed class ContactPointEndpoint : IAsyncDisposable
{
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    /// <summary>As Akka.Management's route: a probing node joins at most this many of the members it is shown.</summary>
    private const int MaxSeedNodesToExpose = 5;

    private readonly WebApplication _app;

    private ContactPointEndpoint(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>How the other nodes reach this contact point (<c>akka.management.http.hostname</c> and <c>port</c>).</summary>
    public Uri BaseUri { get; }

    /// <summary>Binds and starts the endpoint (<c>bind-hostname</c>/<c>bind-port</c> when set, else hostname and port).</summary>
    /// <exception cref="InvalidOperationException">The address cannot be bound (e.g. the port is taken).</exception>
    public static async Task<ContactPointEndpoint> StartAsync(ActorSystem system)
    {
        var http = system.Settings.Config.GetConfig("akka.management.http")
            ?? throw new ConfigurationException("akka.management.http is missing: Cluster Bootstrap was not configured");
        var hostname = http.GetString("hostname");
        var port = http.GetInt("port");
        var bindHost = http.GetString("bind-hostname", "") is { Length: > 0 } b ? b : hostname;
        var bindPort = int.TryParse(http.GetString("bind-port", ""), out var p) ? p : port;

        // An empty builder: no configuration sources or providers of the node's own host leak into this server.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => Listen(kestrel, bindHost, bindPort));
        var app = builder.Build();
        var cluster = Cluster.Get(system);
        app.Run(context => Answer(context, cluster));
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(
                $"Cluster Bootstrap's contact point cannot listen on {bindHost}:{bindPort} (registrator.cluster.bootstrap.management.port, REGISTRATOR_MANAGEMENT_PORT): {e.Message}", e);
        }
        return new ContactPointEndpoint(app, new UriBuilder("http", hostname, port).Uri);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The members a joining node may take as seeds; none while this node is on its way out.</summary>
    private static Task Answer(HttpContext context, Cluster cluster)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != SeedNodesPath)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var self = cluster.SelfMember;
        var members = self.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving or MemberStatus.Removed
            ? []
            : SeedCandidates(cluster.State);
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonConvert.SerializeObject(new SeedNodes(self.UniqueAddress.Address, members)));
    }

    private static ImmutableList<ClusterMember> SeedCandidates(ClusterEvent.CurrentClusterState state) =>
        state.Members
            .Where(m => !state.Unreachable.Contains(m))
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Take(MaxSeedNodesToExpose)
            .Select(m => new ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();

    private static void Listen(KestrelServerOptions kestrel, string host, int port)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address)) kestrel.Listen(address, port);
        else if (host is "localhost") kestrel.ListenLocalhost(port);
        else if (host is "*" or "+") kestrel.ListenAnyIP(port);
        else foreach (var resolved in Dns.GetHostAddresses(host)) kestrel.Listen(resolved, port);
    }
}
