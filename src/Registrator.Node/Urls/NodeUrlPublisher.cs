using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;

namespace Registrator.Node.Urls;

/// <summary>
/// Writes this node's HTTP base URL under its member address into <see cref="NodeUrlDirectory"/>. One per node with
/// HTTP; receives only its own timer and the replicator's answers. The URL is read on every tick because it is only
/// known once Kestrel has bound (with port 0) and may be set after this actor starts; it is written again only when it
/// changed or the last write did not succeed.
/// </summary>
internal sealed class NodeUrlPublisher : ReceiveActor, IWithTimers
{
    public const string Name = "http-node-url";

    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private readonly Func<string?> _url;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private string? _written;
    private string? _writing;

    public NodeUrlPublisher(Func<string?> url)
    {
        _url = url;
        Receive<Check>(_ => HandleCheck());
        Receive<UpdateSuccess>(_ => HandleWritten());
        Receive<IUpdateFailure>(HandleFailed);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<string?> url) => Akka.Actor.Props.Create(() => new NodeUrlPublisher(url));

    protected override void PreStart()
    {
        Self.Tell(Check.Instance);
        Timers.StartPeriodicTimer(nameof(Check), Check.Instance, CheckInterval);
    }

    private void HandleCheck()
    {
        if (_url() is not { } url || url == _written || _writing is not null) return;
        _writing = url;
        var address = _cluster.SelfAddress.ToString();
        _replicator.Tell(Dsl.Update(NodeUrlDirectory.Key, LWWDictionary<string, string>.Empty, WriteLocal.Instance,
            d => d.SetItem(_cluster, address, url)));
    }

    private void HandleWritten()
    {
        _written = _writing;
        _writing = null;
        _log.Info("HTTP URL {0} published for {1}", _written, _cluster.SelfAddress);
    }

    private void HandleFailed(IUpdateFailure failure)
    {
        // The next tick tries again.
        _log.Warning("Publishing the HTTP URL {0} failed: {1}", _writing, failure);
        _writing = null;
    }

    private sealed class Check : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly Check Instance = new();
    }
}
