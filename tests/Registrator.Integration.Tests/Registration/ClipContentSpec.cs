using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Integration.Tests.Registration;

/// <summary>
/// What is in the clips, frame by frame: every frame sent is in exactly one clip, once, in capture order, and a
/// registration never takes a frame sent after it nor loses one sent before it. Real x264 sessions, real muxing; the
/// clips are decoded by the ffmpeg CLI and each decoded frame is matched to its source by PSNR.
/// </summary>
public sealed class ClipContentSpec(ITestOutputHelper output) : PipelineSpec(output)
{
    private const int W = NumberedFrames.Width;
    private const int H = NumberedFrames.Height;

    [Fact]
    public async Task Consecutive_trigger_cycles_of_one_camera_concatenate_to_exactly_the_frames_sent_each_once_in_order()
    {
        const string key = "camera-cycles";
        const int window = 30, events = 5, sent = (events * window) + 15; // the last 15 frames stay in an unregistered cycle
        var frames = NumberedFrames.Make(sent);
        var pipeline = StartPipeline(s => WithWindowTrigger(s, window, 0.3));
        var announced = CreateTestProbe();
        Sys.EventStream.Subscribe(announced.Ref, typeof(TaskEvents.EventRegistered));

        // A camera and its detector: a frame, then the result for it; every other result a detection (50% > 30%).
        for (var i = 0; i < sent; i++)
        {
            pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}"), TestActor);
            pipeline.Region.Tell(new AddStatus(key, i % 2 == 0, Message($"f{i}")), TestActor);
        }
        ExpectAccepted(2 * sent);

        var registered = Enumerable.Range(0, events)
            .Select(_ => announced.ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(60)))
            .ToList();
        var sequence = new List<int>();
        for (var e = 0; e < events; e++)
        {
            var clip = ClipOf(registered[e]);
            var matched = Psnr.MatchedIndices(FfmpegCli.Decode(clip, W, H), frames);
            Assert.Equal(window, matched.Count);
            Assert.True(FfmpegCli.Frames(clip)[0].Key, $"clip {e} does not start on a keyframe");
            sequence.AddRange(matched);
            // The event's message is the 30th result, whose frame_id names the cycle's last frame: that is the JPEG.
            var keyframe = ClipProbe.DecodePicture(registered[e].ImagePath!, W, H);
            Assert.Equal((e * window) + window - 1, Psnr.Match([keyframe], frames)[0].Source);
        }
        Assert.Equal(Enumerable.Range(0, events * window), sequence);

        // The 15 frames after the last event are the next cycle's, still buffered, not in any clip.
        var rest = await SettledAsync(pipeline.Region, key);
        Assert.Equal((sent - (events * window), TaskState.Pending, 0L, 0L, 0L),
            (rest.FrameCount, rest.State, rest.FramesDropped, rest.FramesSkipped, rest.FramesLate));
        announced.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_registration_while_frames_keep_arriving_takes_exactly_the_frames_sent_before_it_and_the_next_takes_the_rest()
    {
        const string key = "camera-busy";
        var frames = NumberedFrames.Make(40);
        var pipeline = StartPipeline();
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        for (var i = 0; i < 20; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}"), TestActor);
        pipeline.Region.Tell(new RegisterTask(key, Message("f19")), first.Ref);
        // No waiting: the camera goes on while the first clip is still at the encoder.
        for (var i = 20; i < 40; i++) pipeline.Region.Tell(Frame(key, frames[i], i * 0.1, $"f{i}"), TestActor);
        pipeline.Region.Tell(new RegisterTask(key, Message("f39")), second.Ref);
        ExpectAccepted(40);

        var one = ClipOf(first.ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(30)));
        var two = ClipOf(second.ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(30)));
        Assert.Equal(Enumerable.Range(0, 20), Psnr.MatchedIndices(FfmpegCli.Decode(one, W, H), frames));
        Assert.Equal(Enumerable.Range(20, 20), Psnr.MatchedIndices(FfmpegCli.Decode(two, W, H), frames));
        Assert.True(FfmpegCli.Frames(two)[0].Key, "the second cycle's clip does not start on a keyframe");

        var snapshot = await SnapshotAsync(pipeline.Region, key);
        Assert.Equal((0L, 0L, 0L, 0L), (snapshot.FramesDropped, snapshot.FramesSkipped, snapshot.FramesLate, snapshot.RejectedCommands));
    }
}
