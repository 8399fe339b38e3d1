using System.Globalization;
using System.Text.Json;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Integration.Tests.Registration;

/// <summary>
/// The <c>span</c> policy through the real pipeline (TaskActor, libx264 in process, the muxer, the JPEG writer): a
/// camera at 10 fps with a detector's status per frame, both stamped with capture time; an incident opens on the window
/// rule, its keyframe is on disk when <see cref="IncidentStarted"/> is published, and its one clip starts pre-roll
/// before the opening detection and ends at the close, post-roll after the last detection.
/// </summary>
public sealed class SpanIncidentSpec(ITestOutputHelper output) : PipelineSpec(output)
{
    private const int W = NumberedFrames.Width;
    private const int H = NumberedFrames.Height;

    private static RegistratorSettings Span(RegistratorSettings s) => s with
    {
        Task = s.Task with
        {
            Trigger = s.Task.Trigger with
            {
                Policy = TriggerPolicy.Span, WindowSize = 10, Ratio = 0.3,
                PreRoll = TimeSpan.FromSeconds(2), PostRoll = TimeSpan.FromSeconds(1), MaxDuration = TimeSpan.FromSeconds(120),
            },
        },
    };

    private static AddStatus Status(string key, int k, bool detected) => new(key, detected, string.Create(CultureInfo.InvariantCulture,
        $$$"""{"model":"test","timestamp":{{{CaptureEpoch + (k / 10.0):F3}}},"result":{"boxes":[[10,10,40,40]],"scores":[{{{(detected ? 0.9 : 0.1)}}}],"class_ids":[0]},"frame_id":"f{{{k}}}"}"""));

    [Fact]
    public async Task An_incident_is_announced_with_its_keyframe_on_disk_and_its_one_clip_starts_pre_roll_before_the_opening_detection()
    {
        const string key = "gate-span";
        var frames = NumberedFrames.Make(120);
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(IncidentStarted));
        Sys.EventStream.Subscribe(events.Ref, typeof(TaskEvents.EventRegistered));
        var pipeline = StartPipeline(Span);

        // Detections from 5.0 s to 7.9 s: the window 50..59 opens the incident at its first detection, 5.0 s; it closes at 8.9 s.
        for (var k = 0; k < 120; k++)
        {
            pipeline.Region.Tell(Frame(key, frames[k], k / 10.0, $"f{k}"), TestActor);
            pipeline.Region.Tell(Status(key, k, detected: k is >= 50 and < 80), TestActor);
        }
        ExpectAccepted(240);

        var started = events.ExpectMsg<IncidentStarted>(TimeSpan.FromSeconds(30));
        using var announcement = JsonDocument.Parse(started.Json);
        var keyframe = announcement.RootElement.GetProperty("image_proof_path").GetString()!;
        Assert.True(File.Exists(keyframe), keyframe); // on disk when announced, before the clip exists
        Assert.Equal(Path.Combine(OutputPath, $"{started.EventId}", $"{started.EventId}.jpg"), keyframe);
        Assert.Equal(CaptureEpoch + 5.0, announcement.RootElement.GetProperty("start").GetDouble(), 3);
        Assert.Equal(key, announcement.RootElement.GetProperty("key").GetString());
        Assert.Equal(started.EventId.ToString("D"), announcement.RootElement.GetProperty("event_id").GetString());

        var registered = events.ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(30));
        Assert.Equal(started.EventId, registered.EventId); // one event per incident, under the announced id
        Assert.Equal(keyframe, registered.ImagePath);
        var clip = ClipOf(registered);

        var shown = Psnr.MatchedIndices(FfmpegCli.Decode(clip, W, H), frames);
        // Pre-roll 2 s before 5.0 s, at GOP granularity (a GOP a second): the clip's first frame is the one captured at 3.0 s.
        Assert.Equal(30, shown[0]);
        Assert.Equal(Enumerable.Range(30, shown.Count), shown);
        Assert.InRange(shown[^1], 88, 89); // ... and its last the one at the close, 8.9 s
        events.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // no second event: detections ended with the incident

        // Frames and statuses after the close went on into the next cycle.
        var snapshot = await SettledAsync(pipeline.Region, key);
        Assert.True(snapshot.FrameCount is >= 20 and <= 32, $"{snapshot.FrameCount} frames in the next cycle {snapshot.Cycle}");
        Assert.Equal(0L, snapshot.RejectedCommands);
        Assert.Equal(0L, snapshot.FramesDropped);
        Assert.Contains("\"policy\":\"span\"", snapshot.SettingsJson, StringComparison.Ordinal);
        Assert.Null(snapshot.IncidentJson);
    }

    [Fact]
    public void A_camera_that_goes_quiet_has_its_incident_closed_by_the_timer_post_roll_after_the_last_detection()
    {
        const string key = "gate-quiet";
        var frames = NumberedFrames.Make(30);
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(TaskEvents.EventRegistered));
        var pipeline = StartPipeline(Span);

        for (var k = 0; k < 30; k++)
        {
            pipeline.Region.Tell(Frame(key, frames[k], k / 10.0, $"f{k}"), TestActor);
            pipeline.Region.Tell(Status(key, k, detected: k >= 10), TestActor);
        }
        ExpectAccepted(60);
        var sent = DateTime.UtcNow;

        // Nothing arrives any more: capture time goes on at wall-clock speed, and 1 s after the last detection it closes.
        var registered = events.ExpectMsg<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(20));
        Assert.True(DateTime.UtcNow - sent >= TimeSpan.FromSeconds(0.5), "closed before its post-roll had passed");
        var shown = Psnr.MatchedIndices(FfmpegCli.Decode(ClipOf(registered), W, H), frames);
        Assert.Equal(Enumerable.Range(0, 30), shown); // pre-roll 2 s before 1.0 s reaches the first frame
    }

    [Fact]
    public void A_key_pattern_override_of_media_fps_makes_that_tasks_clips_at_its_own_rate()
    {
        var frames = NumberedFrames.Make(20);
        var pipeline = StartPipeline(s => s with
        {
            Task = s.Task with { Overrides = [new TaskOverride([new KeyPattern("slow-*")]) { FramesPerSecond = 5 }] },
        });

        foreach (var key in new[] { "slow-1", "fast-1" })
        {
            for (var k = 0; k < 20; k++) pipeline.Region.Tell(Frame(key, frames[k], k / 10.0, $"f{k}"), TestActor); // a 10 fps camera
            ExpectAccepted(20);
        }
        pipeline.Region.Tell(new RegisterTask("slow-1", Message("f19")), TestActor);
        var slow = FfmpegCli.Probe(ClipOf(ExpectMsg<TaskEvents.EventRegistered>()));
        pipeline.Region.Tell(new RegisterTask("fast-1", Message("f19")), TestActor);
        var fast = FfmpegCli.Probe(ClipOf(ExpectMsg<TaskEvents.EventRegistered>()));

        Assert.Equal(("5/1", 11), (slow.FrameRate, slow.FramesRead)); // 0 … 1.9 s of capture on a 1/5 s grid: ticks 0 … 10
        Assert.Equal(("10/1", 20), (fast.FrameRate, fast.FramesRead)); // the node's media.fps
    }
}
