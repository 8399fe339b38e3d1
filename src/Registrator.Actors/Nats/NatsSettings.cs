using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Configuration;
using NATS.Client.Core;

namespace Registrator.Actors.Nats;

/// <summary>
/// The NATS connections and the <see cref="NatsBridge"/>'s subjects, bounds and timeouts, from <c>registrator.nats</c>
/// (every key is documented in hocon/registrator.conf). Parsed once at start-up; the defaults here are the file's.
/// </summary>
public sealed record NatsSettings
{
    /// <summary>Seed servers (the Python module's NATS_HOST, comma-separated there); the client tries them in turn.</summary>
    public ImmutableArray<string> Servers { get; init; } = ["nats://localhost:4222"];
    /// <summary>Prefix of the connection names the server reports (<c>&lt;name&gt;-results</c>, <c>-frames</c>, <c>-commands</c>, <c>-events</c>).</summary>
    public string ClientName { get; init; } = "registrator";
    public string? User { get; init; }
    public string? Password { get; init; }
    public string? Token { get; init; }
    /// <summary>A <c>.creds</c> file (JWT + NKey seed), as issued by the NATS operator tooling.</summary>
    public string? CredentialsFile { get; init; }
    /// <summary>A file holding an NKey seed (<c>SU…</c>), for servers that authenticate by NKey alone.</summary>
    public string? NKeyFile { get; init; }
    public TlsMode TlsMode { get; init; } = TlsMode.Auto;
    public string? TlsCaFile { get; init; }
    public string? TlsCertFile { get; init; }
    public string? TlsKeyFile { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan ReconnectWaitMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectWaitMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Queue group of the inbound subscriptions: each message is handled by one node of the cluster.</summary>
    public string QueueGroup { get; init; } = "registrator";
    public string ResultsSubject { get; init; } = "inference.results";
    public string FramesSubject { get; init; } = "registrator.frames";
    public string CommandsSubject { get; init; } = "registrator.commands";
    public string EventsSubject { get; init; } = "registrator.events";
    /// <summary>Where an incident's opening (<see cref="Events.IncidentStarted"/>) is announced.</summary>
    public string StartedSubject { get; init; } = "registrator.events.started";

    /// <summary>Field of an inference result that holds the task key.</summary>
    public string KeyField { get; init; } = "key";
    /// <summary>Without a <c>detected</c> field, a result is a detection when any box scores at least this.</summary>
    public double MinScore { get; init; } = 0.5;
    /// <summary>Largest accepted result or command payload, in bytes.</summary>
    public int MaxPayload { get; init; } = 1024 * 1024;
    /// <summary>Largest accepted frame payload, and largest decoded JPEG frame, in bytes.</summary>
    public int MaxFramePayload { get; init; } = 16 * 1024 * 1024;

    /// <summary>Messages the client holds per commands subscription before <see cref="PendingFullMode"/> applies.</summary>
    public int PendingCapacity { get; init; } = 1024;
    /// <summary>
    /// As <see cref="PendingCapacity"/>, for inference results: large, so the client takes a burst off the socket while
    /// the tasks catch up, and nats-server never waits on this node long enough to cut it off as a slow consumer.
    /// </summary>
    public int ResultsPendingCapacity { get; init; } = 262_144;
    /// <summary>As <see cref="PendingCapacity"/>, for frames (each may be megabytes).</summary>
    public int FramePendingCapacity { get; init; } = 8;
    /// <summary>What a full subscription does: Wait (back-pressure to the socket) unless an operator chooses to drop.</summary>
    public BoundedChannelFullMode PendingFullMode { get; init; } = BoundedChannelFullMode.Wait;
    /// <summary>Asks to the shard region in flight per stream.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>Batches of statuses sent to tasks and not yet answered (the results stream's back-pressure).</summary>
    public int ResultsInFlight { get; init; } = 256;
    /// <summary>At most this many results per slice of the results stream (<c>results-batch</c>).</summary>
    public int ResultsBatch { get; init; } = 4096;
    /// <summary>How long a slice gathers results before it goes out (<c>results-batch-window</c>).</summary>
    public TimeSpan ResultsBatchWindow { get; init; } = TimeSpan.FromMilliseconds(20);
    /// <summary>JPEG frames decoded at once on the thread pool.</summary>
    public int DecodeParallelism { get; init; } = 2;
    /// <summary>How long a task may take to answer a status, frame or command.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a <c>register</c> command waits for the event (the clip is written first).</summary>
    public TimeSpan RegisterTimeout { get; init; } = TimeSpan.FromMinutes(6);
    /// <summary>Recorded events waiting to be published; past it, events are dropped from NATS (never from Redis) and counted.</summary>
    public int EventsBuffer { get; init; } = 1024;
    /// <summary>Least time between two warnings about the same kind of bad input.</summary>
    public TimeSpan BadInputLogInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The client's own comma-separated seed list.</summary>
    public string Url => string.Join(",", Servers);

    public static NatsSettings From(Config nats)
    {
        var servers = nats.GetStringList("servers")
            .SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToImmutableArray();
        if (servers.IsEmpty) throw new ConfigurationException("registrator.nats.servers (NATS_HOST) must list at least one server");
        return new NatsSettings
        {
            Servers = servers,
            ClientName = NonEmpty(nats, "client-name"),
            User = Optional(nats, "user"),
            Password = Optional(nats, "password"),
            Token = Optional(nats, "token"),
            CredentialsFile = Optional(nats, "credentials-file"),
            NKeyFile = Optional(nats, "nkey-file"),
            TlsMode = ParseTlsMode(nats.GetString("tls.mode")),
            TlsCaFile = Optional(nats, "tls.ca-file"),
            TlsCertFile = Optional(nats, "tls.cert-file"),
            TlsKeyFile = Optional(nats, "tls.key-file"),
            ConnectTimeout = Positive(nats.GetTimeSpan("connect-timeout"), "connect-timeout"),
            ReconnectWaitMin = Positive(nats.GetTimeSpan("reconnect-wait-min"), "reconnect-wait-min"),
            ReconnectWaitMax = Positive(nats.GetTimeSpan("reconnect-wait-max"), "reconnect-wait-max"),
            QueueGroup = NonEmpty(nats, "queue-group"),
            ResultsSubject = NonEmpty(nats, "results-subject"),
            FramesSubject = NonEmpty(nats, "frames-subject"),
            CommandsSubject = NonEmpty(nats, "commands-subject"),
            EventsSubject = NonEmpty(nats, "events-subject"),
            StartedSubject = NonEmpty(nats, "started-subject"),
            KeyField = NonEmpty(nats, "key-field"),
            MinScore = nats.GetDouble("min-score"),
            MaxPayload = Bytes(nats, "max-payload"),
            MaxFramePayload = Bytes(nats, "max-frame-payload"),
            PendingCapacity = Positive(nats.GetInt("pending-capacity"), "pending-capacity"),
            ResultsPendingCapacity = Positive(nats.GetInt("results-pending-capacity"), "results-pending-capacity"),
            FramePendingCapacity = Positive(nats.GetInt("frame-pending-capacity"), "frame-pending-capacity"),
            PendingFullMode = ParseFullMode(nats.GetString("pending-full-mode")),
            Parallelism = Positive(nats.GetInt("parallelism"), "parallelism"),
            ResultsInFlight = Positive(nats.GetInt("results-in-flight"), "results-in-flight"),
            ResultsBatch = Positive(nats.GetInt("results-batch"), "results-batch"),
            ResultsBatchWindow = Positive(nats.GetTimeSpan("results-batch-window"), "results-batch-window"),
            DecodeParallelism = Positive(nats.GetInt("decode-parallelism"), "decode-parallelism"),
            AskTimeout = Positive(nats.GetTimeSpan("ask-timeout"), "ask-timeout"),
            RegisterTimeout = Positive(nats.GetTimeSpan("register-timeout"), "register-timeout"),
            EventsBuffer = Positive(nats.GetInt("events-buffer"), "events-buffer"),
            BadInputLogInterval = nats.GetTimeSpan("bad-input-log-interval"),
        };
    }

    private static string? Optional(Config nats, string key) =>
        nats.HasPath(key) && nats.GetString(key) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    private static string NonEmpty(Config nats, string key) =>
        Optional(nats, key) ?? throw new ConfigurationException($"registrator.nats.{key} must not be empty");

    private static int Bytes(Config nats, string key)
    {
        var bytes = nats.GetByteSize(key) ?? 0;
        // Payloads are held in one array, and the client caps a message at 2 GiB anyway.
        if (bytes <= 0 || bytes > int.MaxValue) throw new ConfigurationException($"registrator.nats.{key} must be between 1 byte and 2GiB, got {bytes}");
        return (int)bytes;
    }

    private static T Positive<T>(T value, string key) where T : IComparable<T> =>
        value.CompareTo(default) > 0 ? value : throw new ConfigurationException($"registrator.nats.{key} must be positive, got {value}");

    private static TlsMode ParseTlsMode(string mode) => mode switch
    {
        "auto" => TlsMode.Auto,
        "prefer" => TlsMode.Prefer,
        "require" => TlsMode.Require,
        "implicit" => TlsMode.Implicit,
        "disable" => TlsMode.Disable,
        _ => throw new ConfigurationException($"registrator.nats.tls.mode must be auto, prefer, require, implicit or disable, got '{mode}'"),
    };

    private static BoundedChannelFullMode ParseFullMode(string mode) => mode switch
    {
        "wait" => BoundedChannelFullMode.Wait,
        "drop-newest" => BoundedChannelFullMode.DropNewest,
        "drop-oldest" => BoundedChannelFullMode.DropOldest,
        _ => throw new ConfigurationException($"registrator.nats.pending-full-mode must be wait, drop-newest or drop-oldest, got '{mode}'"),
    };
}
