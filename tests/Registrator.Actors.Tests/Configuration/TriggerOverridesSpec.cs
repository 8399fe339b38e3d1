using System.Collections;
using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Actors.Tasks;
using Xunit;

namespace Registrator.Actors.Tests.Configuration;

/// <summary>
/// <c>registrator.trigger.overrides</c>: per-task settings picked by a glob on the task key, first match wins, read
/// once from HOCON; the policy <c>span</c> and its durations beside <c>window</c> and <c>manual</c>.
/// </summary>
public sealed class TriggerOverridesSpec
{
    private static RegistratorSettings Load(string hocon) => RegistratorSettings.From(RegistratorConfig.Load(hocon, new Hashtable()));

    [Fact]
    public void By_default_every_task_uses_the_window_rule_and_span_has_its_documented_durations()
    {
        var settings = Load("");

        var task = settings.Task.ForKey("gate-1");

        Assert.Empty(settings.Task.Overrides);
        Assert.Same(settings.Task, task);
        Assert.Equal((TriggerPolicy.Window, 30, 0.3, (double?)null), (task.Trigger.Policy, task.Trigger.WindowSize, task.Trigger.Ratio, task.Trigger.MinScore));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120)),
            (task.Trigger.PreRoll, task.Trigger.PostRoll, task.Trigger.MaxDuration));
        Assert.Equal(300, task.FramesLimit); // window: max-frames as before
    }

    [Fact]
    public void The_first_override_whose_glob_matches_the_key_wins_and_leaves_out_what_it_does_not_set()
    {
        var settings = Load("""
            registrator.trigger {
              policy = window
              window = 20
              overrides = [
                { keys = "gate-*", policy = span, pre-roll = 10s, post-roll = 3s, max-duration = 60s, min-score = 0.8, media.fps = 15 }
                { keys = ["gate-2", "lab/?"], policy = manual, ratio = 0.5 }
                { keys = "*", window = 7 }
              ]
            }
            """);

        var gate = settings.Task.ForKey("gate-2");
        var lab = settings.Task.ForKey("lab/1");
        var other = settings.Task.ForKey("parking");
        var labTwoChars = settings.Task.ForKey("lab/12");

        Assert.Equal((TriggerPolicy.Span, 20, 0.3, 0.8), (gate.Trigger.Policy, gate.Trigger.WindowSize, gate.Trigger.Ratio, gate.Trigger.MinScore));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60), 15, "gate-*"),
            (gate.Trigger.PreRoll, gate.Trigger.PostRoll, gate.Trigger.MaxDuration, gate.FramesPerSecond, gate.OverrideKeys));
        Assert.Equal((TriggerPolicy.Manual, 0.5, 10, "gate-2,lab/?"), (lab.Trigger.Policy, lab.Trigger.Ratio, lab.FramesPerSecond, lab.OverrideKeys));
        Assert.Equal((TriggerPolicy.Window, 7, "*"), (other.Trigger.Policy, other.Trigger.WindowSize, other.OverrideKeys));
        Assert.Equal(7, labTwoChars.Trigger.WindowSize); // ? is exactly one character
        // Under span a cycle holds a whole incident: (10 s + 60 s) × 15 fps, plus two seconds of frames.
        Assert.Equal(70 * 15 + 30, gate.FramesLimit);
    }

    [Theory]
    [InlineData("gate-*", "gate-1", true)]
    [InlineData("gate-*", "gate-", true)]
    [InlineData("gate-*", "Gate-1", false)]
    [InlineData("*-cam", "roof/north-cam", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("cam?", "cam7", true)]
    [InlineData("cam?", "cam", false)]
    [InlineData("вход/*", "вход/🎥", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exact2", false)]
    public void A_key_pattern_is_a_glob_of_star_and_question_mark(string glob, string key, bool matches) =>
        Assert.Equal(matches, new KeyPattern(glob).Matches(key));

    [Theory]
    [InlineData("""{ policy = span }""", "keys")]
    [InlineData("""{ keys = "a*", policy = sometimes }""", "policy")]
    [InlineData("""{ keys = "a*", post-roll = 0s }""", "post-roll")]
    [InlineData("""{ keys = "a*", ratio = 1.5 }""", "ratio")]
    [InlineData("""{ keys = "a*", media.fps = 0 }""", "media.fps")]
    [InlineData("""{ keys = "" }""", "keys")]
    public void An_override_that_cannot_work_stops_the_node_naming_the_entry(string entry, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load($"registrator.trigger.overrides = [ {entry} ]"));

        Assert.Contains("registrator.trigger.overrides[0]", error.Message);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void The_snapshot_shows_the_settings_in_force_for_the_key()
    {
        var settings = Load("""registrator.trigger.overrides = [ { keys = "gate-*", policy = span, pre-roll = 10s } ]""").Task;

        var gate = TaskBehavior.Snapshot(TaskData.New("gate-1", new TaskSettingsView(30, 0.3)), settings.ForKey("gate-1"));
        var other = TaskBehavior.Snapshot(TaskData.New("parking", new TaskSettingsView(30, 0.3)), settings.ForKey("parking"));

        Assert.Equal("""{"policy":"span","window":30,"ratio":0.3,"cooldown":0,"min_score":null,"pre_roll":10,"post_roll":5,"max_duration":120,"fps":10,"override":"gate-*"}""",
            gate.SettingsJson);
        Assert.Contains("\"policy\":\"window\"", other.SettingsJson, StringComparison.Ordinal);
        Assert.Contains("\"override\":null", other.SettingsJson, StringComparison.Ordinal);
        var json = System.Text.Encoding.UTF8.GetString(TaskSnapshotJson.ToUtf8(gate));
        Assert.Contains("\"settings\":{\"policy\":\"span\"", json, StringComparison.Ordinal);
        Assert.Contains("\"incident\":null", json, StringComparison.Ordinal);
    }

    [Fact]
    public void The_policy_key_accepts_span_beside_window_and_manual()
    {
        Assert.Equal(TriggerPolicy.Span, Load("registrator.trigger.policy = span").Task.Trigger.Policy);
        Assert.Equal(TriggerPolicy.Manual, Load("registrator.trigger.policy = manual").Task.Trigger.Policy);
        Assert.Contains("registrator.trigger.policy must be window, manual or span, got \"always\"",
            Assert.Throws<ConfigurationException>(() => Load("registrator.trigger.policy = always")).Message);
    }
}
