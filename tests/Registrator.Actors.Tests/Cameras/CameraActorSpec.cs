using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Cameras;
using Registrator.Actors.Configuration;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;

namespace Registrator.Actors.Tests.Cameras;

/// <summary>Frame rates are timed: this class runs alone, not beside other test classes competing for the two cores.</summary>
[CollectionDefinition(nameof(CameraActorSpec), DisableParallelization = true)]
public sealed class CameraTimingCollection;

[Collection(nameof(CameraActorSpec))]
public sealed class CameraActorSpec(ITestOutputHelper output)
    : TestKit("akka.test.single-expect-default = 10s", output), IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("registrator-camera-").FullName;

    [Fact]
    public void A_camera_from_a_short_file_sends_its_frames_at_the_configured_rate()
    {
        var file = MakeClip(frames: 20, width: 64, height: 48);
        var tasks = AcceptingTasks();
        Sys.ActorOf(CameraActor.Props(new CameraSettings("gate/1", file, Fps: 10, Loop: false, RegistratorSettings.Defaults.CameraReader), tasks.Ref));

        var first = tasks.ExpectMsg<TaskCommands.AddFrame>();
        var clock = Stopwatch.StartNew();
        for (var i = 2; i <= 20; i++) tasks.ExpectMsg<TaskCommands.AddFrame>(f => f.FrameId == i.ToString());
        var elapsed = clock.Elapsed;

        Assert.Equal(("gate/1", 64, 48, 64 * 48 * 3, "1"), (first.TaskKey, first.Width, first.Height, first.Pixels.Length, first.FrameId));
        // 19 periods of 100 ms between the first and the 20th frame. Never faster (the throttle allows no burst): at
        // least 80 % of that. A loaded machine (CI, a parallel build) only delays frames, so the upper bound only
        // says the camera kept its pace rather than stalling; at +20 % it failed a full suite run at 2.41 s.
        Assert.InRange(elapsed.TotalSeconds, 1.9 * 0.8, 1.9 * 2.5);
    }

    [Fact]
    public void A_file_that_ends_is_read_again_after_a_back_off()
    {
        var file = MakeClip(frames: 3, width: 32, height: 16);
        var tasks = AcceptingTasks();
        Sys.ActorOf(CameraActor.Props(new CameraSettings("loop", file, Fps: 30, Loop: false, RegistratorSettings.Defaults.CameraReader), tasks.Ref));
        for (var i = 1; i <= 6; i++) tasks.ExpectMsg<TaskCommands.AddFrame>(f => f.FrameId == i.ToString());
    }

    [Fact]
    public void A_camera_that_cannot_be_opened_keeps_retrying_without_crashing()
    {
        var tasks = AcceptingTasks();
        var camera = Sys.ActorOf(CameraActor.Props(new CameraSettings("missing", Path.Combine(_folder, "nope.mp4"), 10, true, RegistratorSettings.Defaults.CameraReader), tasks.Ref));
        Watch(camera);
        tasks.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));   // no Terminated: the actor is alive

        // The file appears later: the restarting source picks it up.
        MakeClip(frames: 2, width: 32, height: 16, name: "nope.mp4");
        tasks.ExpectMsg<TaskCommands.AddFrame>(TimeSpan.FromSeconds(40));
    }

    [Fact]
    public void A_task_that_does_not_answer_holds_the_camera_for_the_configured_ask_timeout_only()
    {
        var file = MakeClip(frames: 20, width: 32, height: 16);
        var silent = CreateTestProbe();
        var reader = RegistratorSettings.From(RegistratorConfig.Load("registrator.camera-reader.ask-timeout = 300ms", new System.Collections.Hashtable())).CameraReader;
        Assert.Equal(TimeSpan.FromMilliseconds(300), reader.AskTimeout);

        EventFilter.Warning(contains: $"task did not answer within {TimeSpan.FromMilliseconds(300)}").ExpectOne(TimeSpan.FromSeconds(10), () =>
        {
            Sys.ActorOf(CameraActor.Props(new CameraSettings("silent", file, Fps: 30, Loop: false, reader), silent.Ref));
            silent.ExpectMsg<TaskCommands.AddFrame>(f => f.FrameId == "1");
            // One frame in flight: the next is read once the unanswered one has timed out (10s under the shipped default).
            var clock = Stopwatch.StartNew();
            silent.ExpectMsg<TaskCommands.AddFrame>(f => f.FrameId == "2", TimeSpan.FromSeconds(3));
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"frame 2 came {clock.Elapsed} after frame 1, before the ask timed out");
        });
    }

    private TestProbe AcceptingTasks()
    {
        var probe = CreateTestProbe();
        probe.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is TaskCommands.AddFrame frame) sender.Tell(new TaskReplies.Accepted(frame.TaskKey, TaskState.Created));
            return AutoPilot.KeepRunning;
        }));
        return probe;
    }

    private string MakeClip(int frames, int width, int height, string name = "clip.mp4")
    {
        var path = Path.Combine(_folder, name);
        var temporary = Path.Combine(_folder, "." + name);
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
            ["-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=10", "-frames:v", $"{frames}",
             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "mp4", temporary]))!;
        ffmpeg.WaitForExit();
        Assert.Equal(0, ffmpeg.ExitCode);
        File.Move(temporary, path);
        return path;
    }

    void IDisposable.Dispose()
    {
        Shutdown();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
