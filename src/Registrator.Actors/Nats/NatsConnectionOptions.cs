using NATS.Client.Core;
using Registrator.Actors.Configuration;

namespace Registrator.Actors.Nats;

/// <summary>Builds the client options of the <see cref="NatsBridge"/>'s connections (one per subject actor) from <see cref="NatsSettings"/>, in one place.</summary>
public static class NatsConnectionOptions
{
    /// <param name="role">What the connection carries (results, frames, commands, events); it names the connection on the server.</param>
    public static NatsOpts For(NatsSettings settings, string role) => new()
    {
        Url = settings.Url,
        Name = $"{settings.ClientName}-{role}",
        AuthOpts = new NatsAuthOpts
        {
            Username = settings.User,
            Password = settings.Password,
            Token = settings.Token,
            CredsFile = settings.CredentialsFile,
            NKeyFile = settings.NKeyFile,
        },
        TlsOpts = new NatsTlsOpts
        {
            Mode = settings.TlsMode,
            CaFile = settings.TlsCaFile,
            CertFile = settings.TlsCertFile,
            KeyFile = settings.TlsKeyFile,
        },
        ConnectTimeout = settings.ConnectTimeout,
        ReconnectWaitMin = settings.ReconnectWaitMin,
        ReconnectWaitMax = settings.ReconnectWaitMax,
        MaxReconnectRetry = -1,
        // A node may start before nats-server: the first connection is retried like any reconnect.
        RetryOnInitialConnect = true,
        // Task-Key is any Unicode string; the client's default header encoding is ASCII.
        HeaderEncoding = System.Text.Encoding.UTF8,
        SubPendingChannelFullMode = settings.PendingFullMode,
        SubPendingChannelCapacity = settings.PendingCapacity,
        // The client refuses larger messages outright; frames up to max-frame-payload must get through to be counted.
        MaxPayloadHardCap = (int)Math.Clamp(settings.MaxFramePayload + 64L * 1024, NatsOpts.Default.MaxPayloadHardCap, int.MaxValue),
    };
}
