using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.EventStore;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Media;
using Xunit;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>A requester distinct from <see cref="ActorRefs.Nobody"/>, without an actor system: nothing is ever sent to it.</summary>
public sealed class BehaviorRequester(string name) : MinimalActorRef
{
    public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "behavior")) / name;

    public override IActorRefProvider Provider => throw new NotSupportedException("the behavior specs run without an actor system");
}

/// <summary>
/// Drives <see cref="TaskBehavior.Process"/> as <see cref="TaskActor"/> does, with the clock, the node's budget and the
/// encoder played by the test: every <see cref="TaskEffect.Encode"/> job waits in <see cref="AtEncoder"/> until
/// <see cref="Encode"/> answers it with a packet (a keyframe when forced or every <see cref="KeyframeInterval"/> frames of
/// the key's session), and every <see cref="TaskEffect.Write"/> job waits in <see cref="PendingClips"/>.
/// </summary>
public sealed class BehaviorHarness
{
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_796_000_000);
    public static readonly BehaviorRequester Requester = new("requester");
    public const int Width = 4;
    public const int Height = 2;

    private int _sinceKeyframe;

    public BehaviorHarness(TaskSettings? settings = null, string key = "cam-1")
    {
        Settings = settings ?? ManualSettings();
        State = TaskData.New(key, new TaskSettingsView(Settings.Trigger.WindowSize, Settings.Trigger.Ratio));
        _sinceKeyframe = KeyframeInterval;
    }

    public TaskSettings Settings { get; }
    public TaskData State { get; set; }
    public string Key => State.Key;
    public DateTimeOffset Now { get; set; } = Start;
    /// <summary>The node's <c>max-buffer-bytes</c> as this task sees it: it is alone on the node.</summary>
    public long NodeBudget { get; set; } = long.MaxValue / 4;
    public IActorRef Sender { get; set; } = Requester;
    public int KeyframeInterval { get; set; } = 10;
    public int PacketBytes { get; set; } = 100;

    public List<EncodeFrame> AtEncoder { get; } = [];
    public List<EncodeFrame> EncodeJobs { get; } = [];
    public List<WriteClip> PendingClips { get; } = [];
    public List<WriteClip> Clips { get; } = [];
    public List<TaskEffect.Record> Records { get; } = [];
    public List<TaskEffect> Effects { get; } = [];
    public List<WriteKeyframe> KeyframeJobs { get; } = [];
    public List<object> Published { get; } = [];
    /// <summary>The node's HTTP base URL the task is told (<see cref="TaskContext.NodeUrl"/>).</summary>
    public string? NodeUrl { get; set; }

    public static TaskSettings ManualSettings() => RegistratorSettings.Defaults.Task with { Trigger = RegistratorSettings.Defaults.Task.Trigger with { Window = false } };

    public static TaskSettings WindowSettings(int window = 30, double ratio = 0.3) =>
        RegistratorSettings.Defaults.Task with { Trigger = RegistratorSettings.Defaults.Task.Trigger with { Window = true, WindowSize = window, Ratio = ratio } };

    public TaskContext Context() => new(Settings, Settings.FramesPerSecond, Now, NodeBudget - State.HeldBytes, Sender, NodeUrl: NodeUrl);

    public TaskOutcome Send(object input)
    {
        var outcome = TaskBehavior.Process(State, input, Context());
        State = outcome.State;
        foreach (var effect in outcome.Effects)
        {
            Effects.Add(effect);
            switch (effect)
            {
                case TaskEffect.Encode e:
                    AtEncoder.Add(e.Job);
                    EncodeJobs.Add(e.Job);
                    break;
                case TaskEffect.Write w:
                    PendingClips.Add(w.Job);
                    Clips.Add(w.Job);
                    break;
                case TaskEffect.Record r:
                    Records.Add(r);
                    break;
                case TaskEffect.Keyframe k:
                    KeyframeJobs.Add(k.Job);
                    break;
                case TaskEffect.Publish p:
                    Published.Add(p.Event);
                    break;
            }
        }
        return outcome;
    }

    public TaskOutcome Create() => Send(new CreateTask(Key));
    public TaskOutcome Status(bool flag, string? messageJson = null) => Send(new AddStatus(Key, flag, messageJson));
    public TaskOutcome Register(string messageJson = "{}") => Send(new RegisterTask(Key, messageJson));
    public TaskSnapshot Snapshot() => Assert.IsType<TaskSnapshot>(Send(new GetTask(Key)).Reply);

    public static byte[] Pixels(int width = Width, int height = Height) => new byte[3 * width * height];

    public AddFrame FrameCommand(string? frameId = null, double? captureTime = null, int width = Width, int height = Height) =>
        new(Key, width, height, Pixels(width, height), frameId, captureTime);

    /// <summary>A frame without capture time (arrival time counts), then the clock moves on by one tick of the clip.</summary>
    public TaskOutcome Frame(string? frameId = null, int width = Width, int height = Height)
    {
        var outcome = Send(FrameCommand(frameId, null, width, height));
        Now += TimeSpan.FromSeconds(1.0 / Settings.FramesPerSecond);
        return outcome;
    }

    public void Frames(int count, string idPrefix = "f")
    {
        for (var i = 0; i < count; i++) Frame($"{idPrefix}{i}");
    }

    /// <summary>A frame with a capture time, Unix seconds relative to <see cref="Start"/>.</summary>
    public TaskOutcome CapturedFrame(double secondsAfterStart, string? frameId = null) =>
        Send(FrameCommand(frameId ?? $"t{secondsAfterStart:F3}", Start.ToUnixTimeSeconds() + secondsAfterStart));

    /// <summary>The encoder's packet for a job: a keyframe when forced or every <see cref="KeyframeInterval"/> frames.</summary>
    public FrameEncoded Answer(EncodeFrame job)
    {
        var keyframe = job.ForceKeyframe || _sinceKeyframe >= KeyframeInterval;
        _sinceKeyframe = keyframe ? 1 : _sinceKeyframe + 1;
        return new FrameEncoded(job.Cycle, new EncodedPacket(new byte[PacketBytes], job.Pts, keyframe), job.FrameId);
    }

    /// <summary>Answers the oldest <paramref name="count"/> jobs at the encoder (all of them by default), in order.</summary>
    public void Encode(int count = int.MaxValue)
    {
        for (var i = 0; i < count && AtEncoder.Count > 0; i++)
        {
            var job = AtEncoder[0];
            AtEncoder.RemoveAt(0);
            Send(Answer(job));
        }
    }

    public TaskOutcome ClipWritten(WriteClip job)
    {
        PendingClips.Remove(job);
        return Send(new EncodeSucceeded(job.EventId, $"/tmp/{job.EventId}/{job.EventId}.mp4", $"/tmp/{job.EventId}/{job.EventId}.jpg",
            job.Packets.Count, TimeSpan.FromMilliseconds(3)));
    }

    public TaskOutcome ClipFailed(WriteClip job, string reason = "disk full")
    {
        PendingClips.Remove(job);
        return Send(new EncodeFailed(job.EventId, reason));
    }

    /// <summary>Plays the encoder to the end: every frame at the encoder answered, every clip written.</summary>
    public void FinishClips()
    {
        Encode();
        foreach (var job in PendingClips.ToList()) ClipWritten(job);
    }

    public TaskOutcome Stored(Guid eventId) => Send(new EventAccepted(eventId));

    public TaskEffect.Record RecordOf(Guid eventId) => Assert.Single(Records, r => r.Event.EventId == eventId);
}

/// <summary>The function as a whole: queries, inputs it does not take, and the harness's own encoder.</summary>
public sealed class TaskBehaviorSpec
{
    [Fact]
    public void A_query_answers_without_changing_the_task()
    {
        var task = new BehaviorHarness();
        task.Status(true);
        task.Status(false);
        task.Status(false);
        var before = task.State;

        var snapshot = task.Snapshot();
        var mostCommon = task.Send(new GetMostCommon(task.Key));

        Assert.Equal(TaskState.Pending, snapshot.State);
        Assert.Equal([true, false, false], snapshot.Statuses.ToArray());
        Assert.Equal(new MostCommon(task.Key, false), mostCommon.Reply);
        Assert.Empty(mostCommon.Effects);
        Assert.Same(before, task.State);
    }

    [Fact]
    public void Most_common_of_no_statuses_is_no_value_and_a_tie_goes_to_the_value_seen_first()
    {
        var task = new BehaviorHarness();
        Assert.Equal(new MostCommon(task.Key, null), task.Send(new GetMostCommon(task.Key)).Reply);

        task.Status(false);
        task.Status(true);

        Assert.Equal(new MostCommon(task.Key, false), task.Send(new GetMostCommon(task.Key)).Reply);
    }

    [Fact]
    public void A_reply_or_an_event_sent_to_the_task_is_ignored()
    {
        var task = new BehaviorHarness();
        task.Status(true);
        var before = task.State;

        foreach (var input in new object[]
                 {
                     new Accepted(task.Key, TaskState.Pending), new Rejected(task.Key, TaskState.Pending, "no"),
                     new TaskEvents.RegistrationFailed(task.Key, "no"), new EventAccepted(Guid.NewGuid()),
                     new RegistrationTimedOut(Guid.NewGuid()), new EncodeSucceeded(Guid.NewGuid(), "a", "b", 1, TimeSpan.Zero),
                 })
        {
            var outcome = task.Send(input);
            Assert.Null(outcome.Reply);
            Assert.Empty(outcome.Effects);
        }

        Assert.Equal(before, task.State);
    }

    [Fact]
    public void Something_that_is_no_task_input_is_not_handled_and_changes_nothing()
    {
        var task = new BehaviorHarness();
        task.Status(true);
        var before = task.State;

        var outcome = task.Send("hello");

        Assert.False(TaskBehavior.Handles("hello"));
        Assert.Null(outcome.Reply);
        Assert.Empty(outcome.Effects);
        Assert.Same(before, task.State);
    }

    [Fact]
    public void The_harness_encoder_makes_a_keyframe_when_forced_and_every_keyframe_interval_frames()
    {
        var task = new BehaviorHarness { KeyframeInterval = 3 };
        task.Frames(7);

        var keyframes = task.AtEncoder.Select(task.Answer).Select(p => p.Packet.IsKeyframe).ToArray();

        Assert.True(task.AtEncoder[0].ForceKeyframe);
        Assert.Equal([true, false, false, true, false, false, true], keyframes);
    }

    [Fact]
    public void Registration_effects_carry_the_requester_and_a_timeout_of_their_own()
    {
        var task = new BehaviorHarness();
        task.Frames(2);
        task.Encode();

        var outcome = task.Register("""{"n":1}""");

        var registration = Assert.Single(task.State.Registrations);
        Assert.Same(BehaviorHarness.Requester, registration.ReplyTo);
        Assert.Contains(new TaskEffect.StartTimeout(registration.EventId), outcome.Effects);
        var clip = Assert.Single(task.PendingClips);
        Assert.Equal(registration.EventId, clip.EventId);

        task.ClipWritten(clip);
        var record = task.RecordOf(registration.EventId);
        Assert.Same(BehaviorHarness.Requester, record.ReplyTo);
        Assert.Equal("""{"n":1}""", record.Event.MessageJson);

        var stored = task.Stored(registration.EventId);
        Assert.Contains(new TaskEffect.CancelTimeout(registration.EventId), stored.Effects);
        Assert.Empty(task.State.Registrations);
        Assert.Empty(task.Snapshot().Registrations);
    }
}
