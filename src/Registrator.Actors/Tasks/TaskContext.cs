using Akka.Actor;
using Registrator.Actors.Configuration;

namespace Registrator.Actors.Tasks;

/// <summary>
/// What <see cref="TaskBehavior"/> may know besides the task's own value: settings, the time, the room left under the
/// node's frame budget, and who sent the input. Passed in, so the function stays pure and every case is testable.
/// </summary>
/// <param name="NodeBytesFree">Bytes still free under <c>max-buffer-bytes</c> on this node (may be negative).</param>
/// <param name="Sender">The input's sender, the requester of a registration.</param>
/// <param name="NodeUrl">This node's HTTP base URL, for the keyframe URL an incident's announcement carries; <c>null</c> when unknown.</param>
public sealed record TaskContext(
    TaskSettings Settings,
    int FramesPerSecond,
    DateTimeOffset Now,
    long NodeBytesFree,
    IActorRef Sender,
    bool EncoderAvailable = true,
    string? NodeUrl = null)
{
    public double NowUnixSeconds => Now.ToUnixTimeMilliseconds() / 1000.0;
}
