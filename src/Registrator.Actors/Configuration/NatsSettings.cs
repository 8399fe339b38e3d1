using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Configuration;
using NATS.Client.Core;
using Registrator.Actors.Nats;

namespace Registrator.Actors.Configuration;

/// <summary>
/// The NATS connections and the <see cref="NatsBridge"/>'s subjects, bounds and timeouts, from <c>registrator.nats</c>
/// (every key is documented in hocon/registrator.conf). Parsed once at start-up.
/// </summary>
public sealed record NatsSettings
{
    public const string ConfigPath = "registrator.nats";

    /// <summary>Seed servers (the Python module's NATS_HOST, comma-separated there); the client tries them in turn.</summary>
    public required ImmutableArray<string> Servers { get; init; }
    /// <summary>Prefix of the connection names the server reports (<c>&lt;name&gt;-results</c>, <c>-frames</c>, <c>-commands</c>, <c>-events</c>).</summary>
    public required string ClientName { get; init; }
    public required string? User { get; init; }
    public required string? Password { get; init; }
    public required string? Token { get; init; }
    /// <summary>A <c>.creds</c> file (JWT + NKey seed), as issued by the NATS operator tooling.</summary>
    public required string? CredentialsFile { get; init; }
    /// <summary>A file holding an NKey seed (<c>SU…</c>), for servers that authenticate by NKey alone.</summary>
    public required string? NKeyFile { get; init; }
    public required TlsMode TlsMode { get; init; }
    public required string? TlsCaFile { get; init; }
    public required string? TlsCertFile { get; init; }
    public required string? TlsKeyFile { get; init; }
    public required TimeSpan ConnectTimeout { get; init; }
    public required TimeSpan ReconnectWaitMin { get; init; }
    public required TimeSpan ReconnectWaitMax { get; init; }

    /// <summary>Queue group of the inbound subscriptions: each message is handled by one node of the cluster.</summary>
    public required string QueueGroup { get; init; }
    public required string ResultsSubject { get; init; }
    public required string FramesSubject { get; init; }
    public required string CommandsSubject { get; init; }
    public required string EventsSubject { get; init; }
    /// <summary>Where an incident's opening (<see cref="Events.IncidentStarted"/>) is announced.</summary>
    public required string StartedSubject { get; init; }

    /// <summary>Field of an inference result that holds the task key.</summary>
    public required string KeyField { get; init; }
    /// <summary>Without a <c>detected</c> field, a result is a detection when any box scores at least this.</summary>
    public required double MinScore { get; init; }
    /// <summary>Largest accepted result or command payload, in bytes.</summary>
    public required int MaxPayload { get; init; }
    /// <summary>Largest accepted frame payload, and largest decoded JPEG frame, in bytes.</summary>
    public required int MaxFramePayload { get; init; }

    /// <summary>Messages the client holds per commands subscription before <see cref="PendingFullMode"/> applies.</summary>
    public required int PendingCapacity { get; init; }
    /// <summary>
    /// As <see cref="PendingCapacity"/>, for inference results: large, so the client takes a burst off the socket while
    /// the tasks catch up, and nats-server never waits on this node long enough to cut it off as a slow consumer.
    /// </summary>
    public required int ResultsPendingCapacity { get; init; }
    /// <summary>As <see cref="PendingCapacity"/>, for frames (each may be megabytes).</summary>
    public required int FramePendingCapacity { get; init; }
    /// <summary>What a full subscription does: Wait (back-pressure to the socket) unless an operator chooses to drop.</summary>
    public required BoundedChannelFullMode PendingFullMode { get; init; }
    /// <summary>Asks to the shard region in flight per stream.</summary>
    public required int Parallelism { get; init; }

    /// <summary>Batches of statuses sent to tasks and not yet answered (the results stream's back-pressure).</summary>
    public required int ResultsInFlight { get; init; }
    /// <summary>At most this many results per slice of the results stream (<c>results-batch</c>).</summary>
    public required int ResultsBatch { get; init; }
    /// <summary>How long a slice gathers results before it goes out (<c>results-batch-window</c>).</summary>
    public required TimeSpan ResultsBatchWindow { get; init; }
    /// <summary>JPEG frames decoded at once on the thread pool.</summary>
    public required int DecodeParallelism { get; init; }
    /// <summary>How long a task may take to answer a status, frame or command.</summary>
    public required TimeSpan AskTimeout { get; init; }
    /// <summary>How long a <c>register</c> command waits for the event (the clip is written first).</summary>
    public required TimeSpan RegisterTimeout { get; init; }
    /// <summary><c>register</c> commands waiting for their events at once, apart from the other commands' <see cref="Parallelism"/>.</summary>
    public required int RegistrationsInFlight { get; init; }
    /// <summary>Recorded events waiting to be published; past it, events are dropped from NATS (never from Redis) and counted.</summary>
    public required int EventsBuffer { get; init; }
    /// <summary>Least time between two warnings about the same kind of bad input.</summary>
    public required TimeSpan BadInputLogInterval { get; init; }
    /// <summary>Back-off of a subscription that failed (or whose connection closed) before it subscribes again.</summary>
    public required TimeSpan SubscribeMinBackoff { get; init; }
    public required TimeSpan SubscribeMaxBackoff { get; init; }
    public required double SubscribeRandomFactor { get; init; }

    /// <summary>The client's own comma-separated seed list.</summary>
    public string Url => string.Join(",", Servers);

    public static NatsSettings From(Config nats)
    {
        var read = SettingsReader.ForSection(nats, ConfigPath);
        var servers = read.StringList("servers")
            .SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToImmutableArray();
        if (servers.IsEmpty) throw read.Invalid("servers", "must list at least one server");
        var subscribeMin = read.PositiveDuration("subscribe-min-backoff");
        var subscribeMax = read.Duration("subscribe-max-backoff");
        if (subscribeMax < subscribeMin) throw read.Invalid("subscribe-max-backoff", "must not be below subscribe-min-backoff");
        var subscribeRandom = read.Double("subscribe-random-factor");
        return new NatsSettings
        {
            Servers = servers,
            ClientName = read.NonEmpty("client-name"),
            User = read.Optional("user"),
            Password = read.Optional("password"),
            Token = read.Optional("token"),
            CredentialsFile = read.Optional("credentials-file"),
            NKeyFile = read.Optional("nkey-file"),
            TlsMode = read.OneOf("tls.mode",
                ("auto", TlsMode.Auto), ("prefer", TlsMode.Prefer), ("require", TlsMode.Require), ("implicit", TlsMode.Implicit), ("disable", TlsMode.Disable)),
            TlsCaFile = read.Optional("tls.ca-file"),
            TlsCertFile = read.Optional("tls.cert-file"),
            TlsKeyFile = read.Optional("tls.key-file"),
            ConnectTimeout = read.PositiveDuration("connect-timeout"),
            ReconnectWaitMin = read.PositiveDuration("reconnect-wait-min"),
            ReconnectWaitMax = read.PositiveDuration("reconnect-wait-max"),
            QueueGroup = read.NonEmpty("queue-group"),
            ResultsSubject = read.NonEmpty("results-subject"),
            FramesSubject = read.NonEmpty("frames-subject"),
            CommandsSubject = read.NonEmpty("commands-subject"),
            EventsSubject = read.NonEmpty("events-subject"),
            StartedSubject = read.NonEmpty("started-subject"),
            KeyField = read.NonEmpty("key-field"),
            MinScore = read.Double("min-score"),
            MaxPayload = Bytes(read, "max-payload"),
            MaxFramePayload = Bytes(read, "max-frame-payload"),
            PendingCapacity = read.PositiveInt("pending-capacity"),
            ResultsPendingCapacity = read.PositiveInt("results-pending-capacity"),
            FramePendingCapacity = read.PositiveInt("frame-pending-capacity"),
            PendingFullMode = read.OneOf("pending-full-mode",
                ("wait", BoundedChannelFullMode.Wait), ("drop-newest", BoundedChannelFullMode.DropNewest), ("drop-oldest", BoundedChannelFullMode.DropOldest)),
            Parallelism = read.PositiveInt("parallelism"),
            ResultsInFlight = read.PositiveInt("results-in-flight"),
            ResultsBatch = read.PositiveInt("results-batch"),
            ResultsBatchWindow = read.PositiveDuration("results-batch-window"),
            DecodeParallelism = read.PositiveInt("decode-parallelism"),
            AskTimeout = read.PositiveDuration("ask-timeout"),
            RegisterTimeout = read.PositiveDuration("register-timeout"),
            RegistrationsInFlight = read.PositiveInt("registrations-in-flight"),
            EventsBuffer = read.PositiveInt("events-buffer"),
            BadInputLogInterval = read.NonNegativeDuration("bad-input-log-interval"),
            SubscribeMinBackoff = subscribeMin,
            SubscribeMaxBackoff = subscribeMax,
            SubscribeRandomFactor = subscribeRandom is >= 0 and <= 1 ? subscribeRandom : throw read.Invalid("subscribe-random-factor", "must be in [0, 1]"),
        };
    }

    /// <summary>A size that fits one array: payloads are held in one, and the client caps a message at 2 GiB anyway.</summary>
    private static int Bytes(SettingsReader read, string key) =>
        read.Size(key) is var bytes and > 0 and <= int.MaxValue ? (int)bytes : throw read.Invalid(key, "must be between 1 byte and 2GiB");
}
