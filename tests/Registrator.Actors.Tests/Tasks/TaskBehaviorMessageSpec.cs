using Registrator.Actors.Configuration;
using Registrator.Contracts;
using Xunit;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>
/// The inference message: the registration's keyframe is the frame whose id is the message's <c>frame_id</c>; the latest
/// message (the one a trigger's event carries) follows the messages' <c>timestamp</c>; a message is a JSON object.
/// </summary>
public sealed class TaskBehaviorMessageSpec
{
    private static WriteClipOf Register(BehaviorHarness task, string messageJson)
    {
        task.Encode();
        task.Register(messageJson);
        task.Encode();
        var clip = Assert.Single(task.PendingClips);
        return new WriteClipOf(clip.KeyframeIndex, clip.Packets.Count);
    }

    private sealed record WriteClipOf(int KeyframeIndex, int Count);

    [Theory]
    [InlineData("""{"frame_id":"f1"}""", 1)]
    [InlineData("""{"frame_id":"f0","model":"yolo"}""", 0)]
    [InlineData("""{"frame_id":"f4"}""", 4)]
    [InlineData("""{"frame_id":"nope"}""", 4)]
    [InlineData("""{"frame_id":null}""", 4)]
    [InlineData("""{"frame_id":["f1"]}""", 4)]
    [InlineData("""{"model":"yolo"}""", 4)]
    [InlineData("""{}""", 4)]
    public void The_keyframe_is_the_frame_whose_id_is_the_messages_frame_id_else_the_newest(string message, int keyframe)
    {
        var task = new BehaviorHarness();
        task.Frames(5, "f");

        var clip = Register(task, message);

        Assert.Equal(5, clip.Count);
        Assert.Equal(keyframe, clip.KeyframeIndex);
    }

    [Theory]
    [InlineData("""{"frame_id":3}""", 3)]
    [InlineData("""{"frame_id":"3"}""", 3)]
    [InlineData("""{"frame_id":0}""", 0)]
    [InlineData("""{"frame_id":3.5}""", 4)]
    public void A_numeric_frame_id_matches_the_frame_id_it_spells(string message, int keyframe)
    {
        var task = new BehaviorHarness();
        task.Frames(5, "");

        Assert.Equal(keyframe, Register(task, message).KeyframeIndex);
    }

    [Fact]
    public void The_keyframe_index_counts_the_frames_the_clip_still_has_after_a_gop_was_dropped()
    {
        var task = new BehaviorHarness(RegistratorSettings.Defaults.Task with { MaxFrames = 30, Trigger = RegistratorSettings.Defaults.Task.Trigger with { Window = false } });
        task.Frames(31, "f");

        var clip = Register(task, """{"frame_id":"f15"}""");

        Assert.Equal(21, clip.Count); // the first GOP (f0..f9) was dropped: the clip starts at f10
        Assert.Equal(5, clip.KeyframeIndex);
    }

    [Fact]
    public void A_frame_id_of_a_dropped_frame_picks_the_newest()
    {
        var task = new BehaviorHarness(RegistratorSettings.Defaults.Task with { MaxFrames = 30, Trigger = RegistratorSettings.Defaults.Task.Trigger with { Window = false } });
        task.Frames(31, "f");

        Assert.Equal(20, Register(task, """{"frame_id":"f3"}""").KeyframeIndex);
    }

    [Fact]
    public void An_older_timestamp_does_not_replace_a_newer_latest_message()
    {
        var task = new BehaviorHarness();
        const string newer = """{"timestamp":1796000010.5,"n":1}""";

        task.Status(true, newer);
        var older = task.Status(true, """{"timestamp":1796000009,"n":2}""");

        Assert.Equal(new Accepted(task.Key, TaskState.Pending), older.Reply);
        Assert.Equal(newer, task.State.LatestMessageJson);
        Assert.Equal(newer, task.Snapshot().LatestMessageJson);
        Assert.Equal(2, task.State.Statuses.Count); // the status still counts
    }

    [Fact]
    public void A_newer_or_equal_timestamp_replaces_the_latest_message()
    {
        var task = new BehaviorHarness();
        task.Status(true, """{"timestamp":1796000010,"n":1}""");

        task.Status(false, """{"timestamp":1796000010,"n":2}""");
        Assert.Equal("""{"timestamp":1796000010,"n":2}""", task.State.LatestMessageJson);

        task.Status(false, """{"timestamp":1796000011,"n":3}""");
        Assert.Equal("""{"timestamp":1796000011,"n":3}""", task.State.LatestMessageJson);
        Assert.Equal(1796000011, task.State.LatestMessageTime);
    }

    [Fact]
    public void A_message_without_timestamp_replaces_the_latest_message()
    {
        var task = new BehaviorHarness();
        task.Status(true, """{"timestamp":1796000010,"n":1}""");

        task.Status(true, """{"n":2}""");
        Assert.Equal("""{"n":2}""", task.State.LatestMessageJson);

        task.Status(true, """{"timestamp":"yesterday","n":3}"""); // not a number: no timestamp
        Assert.Equal("""{"timestamp":"yesterday","n":3}""", task.State.LatestMessageJson);
    }

    [Fact]
    public void A_status_without_message_keeps_the_latest_message()
    {
        var task = new BehaviorHarness();
        task.Status(true, """{"n":1}""");

        task.Status(false);

        Assert.Equal("""{"n":1}""", task.State.LatestMessageJson);
    }

    [Fact]
    public void A_new_cycle_forgets_the_latest_message_and_its_timestamp()
    {
        var task = new BehaviorHarness();
        task.Frames(1);
        task.Status(true, """{"timestamp":1796000010,"n":1}""");
        task.Register();

        task.Status(true, """{"timestamp":1796000001,"n":2}"""); // older than the last cycle's, but it is this cycle's

        Assert.Equal("""{"timestamp":1796000001,"n":2}""", task.State.LatestMessageJson);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("3")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("not json")]
    [InlineData("{\"open\":")]
    [InlineData("")]
    [InlineData("   ")]
    public void A_status_whose_message_is_not_a_json_object_is_rejected_and_changes_nothing(string message)
    {
        var task = new BehaviorHarness();
        task.Status(true, """{"n":1}""");
        var before = task.State;

        var outcome = task.Status(true, message);

        var rejected = Assert.IsType<Rejected>(outcome.Reply);
        Assert.Contains("JSON object", rejected.Reason);
        Assert.Equal(before with { Counters = before.Counters with { Rejected = 1 } }, task.State);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("not json")]
    [InlineData("")]
    public void A_registration_whose_message_is_not_a_json_object_is_rejected_and_changes_nothing(string message)
    {
        var task = new BehaviorHarness();
        task.Frames(2);
        var before = task.State;

        var outcome = task.Register(message);

        Assert.IsType<Rejected>(outcome.Reply);
        Assert.Equal(before with { Counters = before.Counters with { Rejected = 1 } }, task.State);
        Assert.Empty(outcome.Effects);
    }

    [Fact]
    public void The_registered_event_carries_the_registration_message_verbatim()
    {
        var task = new BehaviorHarness();
        task.Frames(2);
        task.Status(true, """{"n":"latest"}""");
        const string message = """{ "model": "YOLOModel", "result": {"boxes": [[100, 100, 200, 200]], "scores": [0.95]}, "frame_id": "f0" }""";

        task.Register(message);
        task.FinishClips();

        Assert.Equal(message, Assert.Single(task.Records).Event.MessageJson);
        Assert.Equal(0, task.Clips.Single().KeyframeIndex);
    }
}
