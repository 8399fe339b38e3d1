using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Events;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Registrator.Media.Tests.Support;
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
}
