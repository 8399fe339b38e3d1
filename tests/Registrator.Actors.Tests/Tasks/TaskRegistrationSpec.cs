using System.Text.Json;
using Akka.Actor;
using Registrator.Actors.Encoding;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskEvents;

using Registrator.Media.Tests.Support;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>RegisterTask through the shard region with the node's real encoder pool: DONE → clip → FINISHED.</summary>
public sealed class TaskRegistrationSpec : ShardedTaskSpec, IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("registrator-tasks-").FullName;
    private readonly IActorRef _region;

    public TaskRegistrationSpec(ITestOutputHelper output) : base(output, "akka.test.single-expect-default = 30s")
    {
        var pool = EncoderPool.Start(Sys, Settings.Media with { OutputPath = _output });
        _region = StartRegion(pool);
    }

    [Fact]
    public void Thirty_frames_of_640x480_become_an_H264_clip_and_a_keyframe()
    {
        const string key = "cameras/gate 1/детектор";
        for (var i = 0; i < 30; i++)
            _region.Tell(Frame(key, 640, 480, fill: (byte)(i * 8), id: $"frame_{i:000}"), TestActor);
        for (var i = 0; i < 30; i++) ExpectMsg<TaskReplies.Accepted>();
        _region.Tell(new AddStatus(key, true), TestActor);
        ExpectMsg<TaskReplies.Accepted>();

        _region.Tell(new RegisterTask(key, """{"model":"YOLOModel","frame_id":"frame_007"}"""), TestActor);
        var registered = ExpectMsg<EventRegistered>();

        Assert.Equal(key, registered.TaskKey);
        Assert.Null(registered.Error);
        Assert.Equal(Path.Combine(_output, $"{registered.EventId}", $"{registered.EventId}.mp4"), registered.VideoPath);
        Assert.Equal(Path.Combine(_output, $"{registered.EventId}", $"{registered.EventId}.jpg"), registered.ImagePath);
        Assert.InRange(registered.Timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var probe = FfmpegCli.Probe(registered.VideoPath!);
        Assert.Equal(("h264", "yuv420p", "10/1", 30), (probe.CodecName, probe.PixelFormat, probe.FrameRate, probe.FramesRead));
        Assert.True(new FileInfo(registered.ImagePath!).Length > 0);

        _region.Tell(new TaskQueries.GetTask(key), TestActor);
        var snapshot = ExpectMsg<TaskReplies.TaskSnapshot>();
        Assert.Equal(TaskState.Finished, snapshot.State);
        Assert.Equal(0, snapshot.FrameCount);
        Assert.Equal(0, Budget.UsedBytes);
    }

    [Fact]
    public void A_registration_without_frames_ends_in_ERROR_with_the_reason()
    {
        var key = NewKey();
        _region.Tell(new RegisterTask(key, """{"model":"m"}"""), TestActor);
        var registered = ExpectMsg<EventRegistered>();
        Assert.Null(registered.VideoPath);
        Assert.Contains("no frames", registered.Error);
        _region.Tell(new TaskQueries.GetTask(key), TestActor);
        Assert.Equal(TaskState.Error, ExpectMsg<TaskReplies.TaskSnapshot>().State);
    }


    void IDisposable.Dispose()
    {
        Shutdown();
        try { Directory.Delete(_output, recursive: true); } catch (IOException) { }
    }
}
