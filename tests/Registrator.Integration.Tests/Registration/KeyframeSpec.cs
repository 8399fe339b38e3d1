using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Integration.Tests.Registration;

/// <summary>
/// The JPEG keyframe is the frame the inference message's <c>frame_id</c> names (else the newest), whether the encoder
/// still has its pixels (it was the last frame encoded) or decodes it back from its GOP's packets.
/// </summary>
public sealed class KeyframeSpec(ITestOutputHelper output) : PipelineSpec(output)
{
    private const int W = NumberedFrames.Width;
    private const int H = NumberedFrames.Height;

    [Theory]
    [InlineData(13, "f12", 12)]   // f12 is the newest frame: the encoder's own pixels
    [InlineData(30, "f12", 12)]   // f12 is inside the second GOP: decoded from its keyframe f10
    [InlineData(30, "f77", 29)]   // no such frame: the newest
    public void The_keyframe_JPEG_is_the_frame_the_message_frame_id_names_else_the_newest(int sent, string frameId, int expected)
    {
        const string key = "camera-keyframe";
        var frames = NumberedFrames.Make(30);
        var pipeline = StartPipeline();

        for (var i = 0; i < sent; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}"), TestActor);
        ExpectAccepted(sent);
        pipeline.Region.Tell(new RegisterTask(key, Message(frameId)), TestActor);
        var registered = ExpectMsg<TaskEvents.EventRegistered>();
        ClipOf(registered);

        var jpeg = ClipProbe.DecodePicture(registered.ImagePath!, W, H);
        var own = Psnr.Of(frames[expected], jpeg);
        Assert.True(own > 30, $"keyframe against source frame {expected}: {own:F1} dB");
        foreach (var other in new[] { expected - 1, expected + 1, 29, 0 }.Where(o => o != expected && o is >= 0 and < 30))
        {
            var db = Psnr.Of(frames[other], jpeg);
            Assert.True(own > db + 3, $"keyframe is {own:F1} dB from frame {expected} but {db:F1} dB from frame {other}");
        }
    }
}
