using Akka.Actor;

namespace Registrator.Actors.Tasks;

/// <summary>Where a registration is: its cycle's last frames at the encoder, its clip being written, or its event at the store.</summary>
public enum RegistrationStage
{
    Encoding,
    Writing,
    Recording,
}

/// <summary>
/// One registration in flight: it owns the cycle it took (frames, statuses' statistics, message) until its event is
/// safe at the store. Several of one key may be in flight; each answers <see cref="ReplyTo"/> for its own cycle.
/// </summary>
/// <param name="ReplyTo">Who asked (RegisterTask's sender), or <see cref="ActorRefs.Nobody"/> for the trigger.</param>
/// <param name="Frames">The cycle's frames; packets still at the encoder join it as they come back.</param>
/// <param name="Incident">The closed <c>span</c> incident this registration records (its event id, start, end, keyframe), or <c>null</c>.</param>
public sealed record TaskRegistration(
    Guid EventId,
    IActorRef ReplyTo,
    string MessageJson,
    int Cycle,
    CycleFrames Frames,
    string? KeyframeId,
    int StatusCount,
    bool? MostCommonStatus,
    RegistrationStage Stage = RegistrationStage.Encoding,
    int FrameCount = 0,
    Incident? Incident = null)
{
    public string StageName => Stage switch
    {
        RegistrationStage.Encoding => "encoding",
        RegistrationStage.Writing => "writing",
        _ => "recording",
    };
}
