using Akka.Actor;
using Registrator.Actors.Encoding;

namespace Registrator.Actors.Tests.Support;

/// <summary>
/// A <see cref="WriteClip"/> the <see cref="EncoderDouble"/> handed to the test, and <paramref name="Requester"/>, the task that asked for it: the
/// test plays the encoder and answers the task when it likes (several registrations of one key may be waiting).
/// </summary>
public sealed record RequestedClip(WriteClip Clip, IActorRef Requester)
{
    public Guid EventId => Clip.EventId;

    /// <summary>The clip was written: answers the task with <see cref="EncodeSucceeded"/> at <c>/tmp/&lt;id&gt;/&lt;id&gt;.mp4|.jpg</c>.</summary>
    public EncodeSucceeded Succeed()
    {
        var done = new EncodeSucceeded(EventId, VideoPath, ImagePath, Clip.Packets.Count, TimeSpan.FromMilliseconds(5));
        Requester.Tell(done, ActorRefs.NoSender);
        return done;
    }

    /// <summary>The clip could not be written: answers the task with <see cref="EncodeFailed"/>.</summary>
    public void Fail(string reason = "disk full") => Requester.Tell(new EncodeFailed(EventId, reason), ActorRefs.NoSender);

    /// <summary>Answers as <paramref name="succeed"/> says.</summary>
    public void Answer(bool succeed, string reason = "disk full")
    {
        if (succeed) Succeed();
        else Fail(reason);
    }

    public string VideoPath => $"/tmp/{EventId}/{EventId}.mp4";
    public string ImagePath => $"/tmp/{EventId}/{EventId}.jpg";
}
