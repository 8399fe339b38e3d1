using System.Collections.Concurrent;
using Akka.Actor;
using Registrator.Actors.Events;
using Registrator.Actors.Tasks;

namespace Registrator.Demo;

/// <summary>An announcement the demo saw: when, and whether the keyframe it names was on disk at that moment.</summary>
public sealed record SeenIncident(IncidentStarted Started, DateTimeOffset At, string? KeyframePath, bool KeyframeOnDisk);

/// <summary>
/// Subscribed to a demo node's event stream: collects the <see cref="IncidentStarted"/> its tasks publish when a
/// <c>span</c> incident opens, checking at once that the keyframe it names exists (the promise the announcement makes).
/// </summary>
public sealed class IncidentListener : ReceiveActor
{
    public IncidentListener(ConcurrentQueue<SeenIncident> seen)
    {
        Receive<IncidentStarted>(started =>
        {
            var path = IncidentAnnouncement.Read(started.Json)?.ImagePath;
            seen.Enqueue(new SeenIncident(started, DateTimeOffset.UtcNow, path, path is not null && File.Exists(path)));
        });
    }
}

/// <summary>Starts an <see cref="IncidentListener"/> on a demo node.</summary>
public static class IncidentListeners
{
    /// <summary>Starts a listener on <paramref name="system"/> and subscribes it to <see cref="IncidentStarted"/>.</summary>
    public static void Start(ActorSystem system, ConcurrentQueue<SeenIncident> seen)
    {
        var listener = system.ActorOf(Props.Create(() => new IncidentListener(seen)), "demo-incident-listener");
        system.EventStream.Subscribe(listener, typeof(IncidentStarted));
    }
}
