using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Events;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// The <c>span</c> policy through <see cref="TaskBehavior.Process"/>: a camera at 10 fps (one frame and one status every
/// 0.1 s of capture time), GOPs of 1 s; windows of 10 statuses, ratio 0.3, pre-roll 2 s, post-roll 1 s.
/// </summary>
public sealed class TaskBehaviorSpanSpec
{
    private static TaskSettings SpanSettings(double maxDuration = 120) => RegistratorSettings.Defaults.Task with
    {
        ReorderWindow = TimeSpan.Zero,
        Trigger = RegistratorSettings.Defaults.Task.Trigger with
        {
            Policy = TriggerPolicy.Span, WindowSize = 10, Ratio = 0.3,
            PreRoll = TimeSpan.FromSeconds(2), PostRoll = TimeSpan.FromSeconds(1), MaxDuration = TimeSpan.FromSeconds(maxDuration),
        },
    };

    private static double At(double seconds) => BehaviorHarness.Start.ToUnixTimeSeconds() + seconds;

    /// <summary>Tick k: the frame captured at k/10 s (encoded at once), then the detector's status for it.</summary>
    private static void Tick(BehaviorHarness task, int k, bool detected)
    {
        var t = k / 10.0;
        task.CapturedFrame(t, $"f{k}");
        task.Encode();
        task.Status(detected, string.Create(CultureInfo.InvariantCulture, $$$"""{"timestamp":{{{At(t):F3}}},"result":{"scores":[{{{(detected ? 0.9 : 0.1)}}}]}}"""));
    }

    private static void Ticks(BehaviorHarness task, int from, int to, Func<int, bool> detected)
    {
        for (var k = from; k < to; k++) Tick(task, k, detected(k));
    }

    /// <summary>Answers every keyframe job as the encoder would, as <c>/media/&lt;id&gt;/&lt;id&gt;.jpg</c>.</summary>
    private static void WriteKeyframes(BehaviorHarness task)
    {
        foreach (var job in task.KeyframeJobs.ToList())
        {
            task.KeyframeJobs.Remove(job);
            task.Send(new KeyframeWritten(job.EventId, $"/media/{job.EventId}/{job.EventId}.jpg"));
        }
    }

    [Fact]
    public void An_incident_opens_on_the_window_rule_extends_while_detections_continue_and_closes_post_roll_after_the_last()
    {
        var task = new BehaviorHarness(SpanSettings());
        Ticks(task, 0, 59, k => k >= 50); // detections from 5.0 s; the window 50..59 holds at its 10th status
        Assert.Null(task.State.Span.Open);

        Tick(task, 59, true);
        var incident = task.State.Span.Open!;
        Assert.Equal(At(5.0), incident.Start, 6);
        var keyframeJob = Assert.Single(task.KeyframeJobs);
        Assert.Equal(incident.EventId, keyframeJob.EventId);
        Assert.True(keyframeJob.Packets[0].IsKeyframe);
        Assert.Equal([50L], keyframeJob.Packets.Select(p => p.Pts)); // the frame of the opening detection (a GOP's first)

        Ticks(task, 60, 80, _ => true); // detections until 7.9 s
        Assert.Equal(At(7.9), task.State.Span.Open!.LastDetection, 6);
        Ticks(task, 80, 88, _ => false); // 8.7 s: still within 1 s of the last detection
        Assert.Equal(incident.EventId, task.State.Span.Open!.EventId);
        Assert.Empty(task.Clips);

        Ticks(task, 88, 100, _ => false);

        Assert.Null(task.State.Span.Open);
        var clip = Assert.Single(task.Clips);
        Assert.Equal(incident.EventId, clip.EventId);
        // Pre-roll: the clip starts on the GOP at 3.0 s, 2 s before the opening detection, and ends at the close (8.9 s).
        Assert.Equal(30, clip.Packets[0].Pts);
        Assert.InRange(clip.Packets[^1].Pts, 88, 89);
        Assert.Equal(50, clip.Packets[clip.KeyframeIndex].Pts); // the keyframe it was announced with
        // Frames and statuses after the close went on into the next cycle, which starts on a keyframe.
        Assert.Equal(task.State.Cycle, task.EncodeJobs[^1].Cycle);
        Assert.True(task.State.Frames.Count >= 10);
        Assert.True(task.State.Frames.Gops[0].Frames[0].Packet.IsKeyframe);
        Assert.Equal(0, task.State.Counters.Rejected);
    }

    [Fact]
    public void IncidentStarted_precedes_the_final_event_and_carries_its_event_id_start_and_keyframe()
    {
        var task = new BehaviorHarness(SpanSettings(), key: "gate/вход 1") { NodeUrl = "http://10.0.0.5:8080" };
        Ticks(task, 0, 60, k => k >= 50);
        var id = task.State.Span.Open!.EventId;
        Assert.Empty(task.Published); // not before its keyframe is on disk

        WriteKeyframes(task);
        var started = Assert.IsType<IncidentStarted>(Assert.Single(task.Published));
        Ticks(task, 60, 75, _ => false);
        task.FinishClips();

        Assert.Equal((id, "gate/вход 1"), (started.EventId, started.TaskKey));
        using var json = JsonDocument.Parse(started.Json);
        var root = json.RootElement;
        Assert.Equal(id.ToString("D"), root.GetProperty("event_id").GetString());
        Assert.Equal("gate/вход 1", root.GetProperty("key").GetString());
        Assert.Equal(At(5.0), root.GetProperty("start").GetDouble(), 6);
        Assert.Equal($"/media/{id}/{id}.jpg", root.GetProperty("image_proof_path").GetString());
        Assert.Equal($"http://10.0.0.5:8080/media/{id}/keyframe.jpg", root.GetProperty("keyframe_url").GetString());

        var record = Assert.Single(task.Records);
        Assert.Equal(id, record.Event.EventId);
        Assert.True(task.Effects.FindIndex(e => e is TaskEffect.Publish) < task.Effects.FindIndex(e => e is TaskEffect.Record));
        Assert.Equal(At(5.0), record.Event.Start!.Value, 6);
        Assert.Equal(At(6.9), record.Event.End!.Value, 6); // last detection 5.9 s + post-roll 1 s
        Assert.Equal($"/tmp/{id}/{id}.jpg", record.Event.ImagePath);
        // The Redis member (and the registrator.events message) carry start and end beside the Python module's fields.
        var member = JsonDocument.Parse(EventMember.Build(record.Event)).RootElement.GetProperty("gate/вход 1");
        Assert.Equal(record.Event.Start!.Value, member.GetProperty("start").GetDouble());
        Assert.Equal(record.Event.End!.Value, member.GetProperty("end").GetDouble());
        Assert.Equal(id.ToString("D"), member.GetProperty("event_id").GetString());
    }

    [Fact]
    public void An_incident_whose_keyframe_is_not_back_at_its_close_is_still_announced_once_and_first()
    {
        var task = new BehaviorHarness(SpanSettings());
        Ticks(task, 0, 60, k => k >= 50);
        Ticks(task, 60, 75, _ => false); // closed at 6.9 s, keyframe still at the encoder
        task.FinishClips();

        var started = Assert.IsType<IncidentStarted>(Assert.Single(task.Published));
        Assert.Contains("\"image_proof_path\":null", started.Json, StringComparison.Ordinal);
        Assert.True(task.Effects.FindIndex(e => e is TaskEffect.Publish) < task.Effects.FindIndex(e => e is TaskEffect.Record));
        WriteKeyframes(task); // the late answer announces nothing twice
        Assert.Single(task.Published);
    }

    [Fact]
    public void Frames_still_at_the_encoder_when_an_incident_closes_are_trimmed_to_the_pre_roll_and_its_keyframe_written_before_the_clip()
    {
        var task = new BehaviorHarness(SpanSettings());
        // A burst: every frame and status arrives before the encoder answers any frame.
        for (var k = 0; k < 75; k++)
        {
            task.CapturedFrame(k / 10.0, $"f{k}");
            task.Status(k is >= 50 and < 60, string.Create(CultureInfo.InvariantCulture, $$"""{"timestamp":{{At(k / 10.0):F3}}}"""));
        }
        Assert.Empty(task.KeyframeJobs); // opened and closed with no packet back yet
        var id = Assert.Single(task.State.Registrations).EventId;

        task.Encode();

        var keyframeJob = Assert.Single(task.KeyframeJobs);
        var clip = Assert.Single(task.Clips);
        Assert.Equal(id, keyframeJob.EventId);
        Assert.Equal(50, keyframeJob.Packets[^1].Pts);
        Assert.True(task.Effects.FindIndex(e => e is TaskEffect.Keyframe) < task.Effects.FindIndex(e => e is TaskEffect.Write));
        Assert.Equal(30, clip.Packets[0].Pts);
        Assert.InRange(clip.Packets[^1].Pts, 68, 69); // the close, 6.9 s
        Assert.Equal(50, clip.Packets[clip.KeyframeIndex].Pts);
        WriteKeyframes(task);
        task.FinishClips();
        Assert.Contains($"/media/{id}/{id}.jpg", Assert.IsType<IncidentStarted>(Assert.Single(task.Published)).Json, StringComparison.Ordinal);
        Assert.True(task.Effects.FindIndex(e => e is TaskEffect.Publish) < task.Effects.FindIndex(e => e is TaskEffect.Record));
    }

    [Fact]
    public void Frames_captured_after_the_close_still_waiting_in_the_reorder_window_start_the_next_cycle_on_the_timer()
    {
        var task = new BehaviorHarness(SpanSettings() with { ReorderWindow = TimeSpan.FromSeconds(1) });
        for (var k = 0; k <= 60; k++) task.CapturedFrame(k / 10.0, $"f{k}"); // frames run ahead: 5.1 .. 6.0 s wait
        for (var k = 0; k < 10; k++) // the detector's statuses for 0.0 .. 0.9 s come later
            task.Status(true, string.Create(CultureInfo.InvariantCulture, $$"""{"timestamp":{{At(k / 10.0):F3}}}"""));
        Assert.NotNull(task.State.Span.Open);

        task.Send(SpanTick.Instance); // capture time is 6.0 s: the incident (last detection 0.9 s) closed at 1.9 s
        var registration = Assert.Single(task.State.Registrations);
        Assert.Equal(LifecycleColumn.Registering, task.State.Column);
        Assert.Equal(10, task.State.Frames.Pending.Count);
        task.Now += TimeSpan.FromSeconds(1.5);
        task.Send(ReleaseReorderedFrames.Instance);

        Assert.Equal(registration.Cycle + 1, task.State.Cycle);
        Assert.Equal(TaskState.Created, task.State.State);
        Assert.Equal(10, task.EncodeJobs.Count(j => j.Cycle == task.State.Cycle));
        Assert.True(task.EncodeJobs.First(j => j.Cycle == task.State.Cycle).ForceKeyframe);
    }

    [Fact]
    public void An_incident_still_active_at_max_duration_splits_into_events_that_follow_each_other()
    {
        var task = new BehaviorHarness(SpanSettings(maxDuration: 3));
        Ticks(task, 0, 160, k => k >= 50 && k < 130); // detections 5.0 .. 12.9 s
        WriteKeyframes(task);
        task.FinishClips();

        var events = task.Records.Select(r => r.Event).ToList();
        Assert.Equal(3, events.Count);
        Assert.Equal(new[] { (5.0, 8.0), (8.0, 11.0), (11.0, 13.9) },
            events.Select(e => (Math.Round(e.Start!.Value - At(0), 6), Math.Round(e.End!.Value - At(0), 6))).ToArray());
        Assert.Equal(3, events.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(events.Select(e => e.EventId), task.Published.Cast<IncidentStarted>().Select(s => s.EventId));
        // The continuation's clip starts where the previous one ended: at the next frame, on a keyframe.
        var clips = task.Clips;
        Assert.Equal(clips[0].Packets[^1].Pts + 1, clips[1].Packets[0].Pts);
        Assert.True(clips[1].Packets[0].IsKeyframe);
        Assert.Equal(clips[1].Packets[^1].Pts + 1, clips[2].Packets[0].Pts);
    }

    [Fact]
    public void A_quiet_camera_closes_its_incident_on_the_timer_post_roll_after_the_last_detection()
    {
        var task = new BehaviorHarness(SpanSettings());
        Ticks(task, 0, 60, k => k >= 50);

        task.Now += TimeSpan.FromSeconds(0.8);
        task.Send(SpanTick.Instance);
        Assert.NotNull(task.State.Span.Open);
        task.Now += TimeSpan.FromSeconds(0.3);
        task.Send(SpanTick.Instance);

        Assert.Null(task.State.Span.Open);
        task.FinishClips();
        Assert.Equal(At(6.9), Assert.Single(task.Records).Event.End!.Value, 6);
    }

    [Fact]
    public void While_idle_a_span_task_keeps_only_the_pre_roll_and_the_window_being_counted()
    {
        var task = new BehaviorHarness(SpanSettings());

        Ticks(task, 0, 100, _ => false);

        // 9.9 s now, pre-roll 2 s: the GOPs from 7.0 s on (the one at 7.0 reaches back past 7.9).
        Assert.Equal(70, task.State.Frames.Gops[0].Frames[0].Packet.Pts);
        Assert.Equal(0, task.State.Counters.FramesDropped); // a pre-roll trim is no drop
        Assert.Empty(task.Records);
    }

    [Fact]
    public void Deleting_a_task_records_its_open_incident_up_to_then()
    {
        var task = new BehaviorHarness(SpanSettings());
        Ticks(task, 0, 65, k => k >= 50);
        var id = task.State.Span.Open!.EventId;

        task.Send(new TaskCommands.DeleteTask(task.Key));
        task.FinishClips();

        var recorded = Assert.Single(task.Records).Event;
        Assert.Equal(id, recorded.EventId);
        Assert.Equal(At(6.4), recorded.End!.Value, 6);
        Assert.Equal(SpanState.Idle, task.State.Span);
    }

    [Fact]
    public void The_window_policy_is_unchanged_no_announcement_and_no_start_or_end()
    {
        var task = new BehaviorHarness(RegistratorSettings.Defaults.Task with { ReorderWindow = TimeSpan.Zero, Trigger = RegistratorSettings.Defaults.Task.Trigger with { WindowSize = 10, Ratio = 0.3 } });

        Ticks(task, 0, 50, k => k >= 30); // 20 of the 50 statuses since the start: fires at the 50th, as before
        task.FinishClips();

        var recorded = Assert.Single(task.Records).Event;
        Assert.Null(recorded.Start);
        Assert.Null(recorded.End);
        Assert.Empty(task.Published);
        Assert.Empty(task.KeyframeJobs);
        Assert.Equal(SpanState.Idle, task.State.Span);
    }

    [Fact]
    public void A_tasks_own_min_score_reflags_the_bridges_statuses()
    {
        var settings = BehaviorHarness.ManualSettings() with { Trigger = RegistratorSettings.Defaults.Task.Trigger with { Window = false, MinScore = 0.8 } };
        var task = new BehaviorHarness(settings);

        task.Send(new StatusBatch(task.Key, ImmutableArray.Create(
            new BatchedStatus(true, """{"result":{"scores":[0.6]}}""", null),
            new BatchedStatus(false, """{"result":{"scores":[0.3,0.85]}}""", null),
            new BatchedStatus(false, """{"detected":true,"result":{"scores":[0.1]}}""", null),
            new BatchedStatus(true, """{"result":{}}""", null))));

        Assert.Equal([false, true, true, false], task.State.Statuses.ToArray());
    }

    [Fact]
    public void The_snapshot_shows_the_open_incident()
    {
        var task = new BehaviorHarness(SpanSettings());
        Ticks(task, 0, 60, k => k >= 50);

        var snapshot = task.Snapshot();

        using var incident = JsonDocument.Parse(snapshot.IncidentJson!);
        Assert.Equal(task.State.Span.Open!.EventId.ToString("D"), incident.RootElement.GetProperty("event_id").GetString());
        Assert.Equal(At(5.0), incident.RootElement.GetProperty("start").GetDouble(), 6);
        Assert.Contains("\"policy\":\"span\"", snapshot.SettingsJson, StringComparison.Ordinal);
    }
}
