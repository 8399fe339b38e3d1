using Akka.Event;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Redis;

namespace Registrator.Actors.EventStore;

/// <summary>
/// What an <see cref="EventStoreActor"/> is built from, resolved once per incarnation: its settings, the Redis
/// connection (and whether the store owns it), the outbox folder and its dead letters, the sinks, and the names each
/// record carries (<c>node_id</c> and the HTTP base URL), so that the actor itself only runs the pipelines.
/// </summary>
internal sealed class EventStoreSetup
{
    private readonly Func<string?>? _node;
    private readonly string? _outboxWarning;
    private readonly Exception? _nodeIdFailure;

    /// <param name="outputPath">TMP_PATH: clips, the node name's file, and the default outbox folder.</param>
    /// <param name="node">The node's HTTP base URL when an event is prepared, <c>null</c> while not known.</param>
    public EventStoreSetup(EventStoreSettings settings, RedisConnection connection, bool ownsConnection, string outputPath, Func<string?>? node)
    {
        Settings = settings;
        Connection = connection;
        OwnsConnection = ownsConnection;
        _node = node;
        (OutboxDirectory, _outboxWarning) = settings.ResolveOutbox(outputPath);
        DeadLetters = new DeadLetterFile(OutboxDirectory);
        Sinks = new EventSinks(connection, settings.Keys, settings.StoreName);
        try
        {
            // The same name the node's RetentionActor resolves: the one kept in TMP_PATH, or the configured one.
            NodeId = NodeName.Resolve(settings.Retention.NodeName, outputPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _nodeIdFailure = ex;
        }
    }

    public EventStoreSettings Settings { get; }
    public RedisConnection Connection { get; }
    public bool OwnsConnection { get; }
    public string OutboxDirectory { get; }
    public DeadLetterFile DeadLetters { get; }
    public EventSinks Sinks { get; }

    /// <summary>This node's name in every record (retention deletes the files of its own events), <c>null</c> when it could not be resolved.</summary>
    public string? NodeId { get; }

    /// <summary>Who records an event now: the node's HTTP base URL may become known after the store started.</summary>
    public EventOrigin Origin() => new(_node?.Invoke(), NodeId);

    /// <summary>The store's first log lines: where it writes, and what in its setup may lose or misattribute events.</summary>
    public void ReportStart(ILoggingAdapter log)
    {
        log.Info("Event store: {0} store on {1}, outbox {2}, node {3}", Settings.StoreName, Connection.Settings, OutboxDirectory, NodeId ?? "(none)");
        if (_outboxWarning is not null) log.Warning("Event store: {0}", _outboxWarning);
        if (OutboxLocation.FileSystemOf(OutboxDirectory) is { } fileSystem && OutboxLocation.IsVolatile(fileSystem))
            log.Warning("Event store: the outbox {0} is on a {1}, which a reboot empties: events accepted but not yet in Redis would be lost. Set registrator.events.outbox-path (or {2}) to a persistent folder",
                OutboxDirectory, fileSystem, OutboxLocation.DataVariable);
        if (_nodeIdFailure is not null)
            log.Error(_nodeIdFailure, "Event store: no node name ({0}); events name no node, so any node's retention may remove them", _nodeIdFailure.Message);
    }
}
