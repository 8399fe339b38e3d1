using System.Collections;
using Akka.Actor;
using Akka.Cluster;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Xunit;
using Xunit.Abstractions;
using static Registrator.Contracts.TaskCommands;
using static Registrator.Contracts.TaskQueries;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests;

/// <summary>
/// A real single-node cluster (joined to itself and awaited Up) with the product's configuration, hosting a fresh
/// shard type per test. The encoder is a probe, so tests decide how each clip turns out.
/// </summary>
public abstract class ShardedTaskSpec : TestKit
{
    private const string TestHocon = """
        akka.loglevel = INFO
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster.roles = ["registrator"]
        akka.cluster.min-nr-of-members = 1
        akka.test.single-expect-default = 10s
        # Registration only when a test asks for it; TaskTriggerSpec turns the window policy back on.
        registrator.trigger.policy = manual
        # Every protocol message goes through our serializer even on one node: nothing unserializable slips through.
        akka.actor.serialize-messages = on
        # A single-node test cluster: move members Up quickly, and skip the graceful-leave dance on shutdown.
        akka.cluster.leader-actions-interval = 100ms
        akka.cluster.gossip-interval = 200ms
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.cluster.sharding.retry-interval = 200ms
        """;

    protected ShardedTaskSpec(ITestOutputHelper output, string hocon = "")
        : base(RegistratorConfig.Load(TestHocon + "\n" + hocon, environment: new Hashtable()), output: output)
    {
        Settings = RegistratorSettings.From(Sys);
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
        Encoder = CreateTestProbe("encoder");
        Budget = new FrameMemoryBudget(Settings.Task.MaxBufferBytes);
        Region = StartRegion(Encoder.Ref);
    }

    /// <summary>Another region of the same node, with other parts (a real encoder pool, say).</summary>
    protected IActorRef StartRegion(IActorRef encoder, IActorRef? eventStore = null) =>
        TaskSharding.StartRegion(Sys, Settings, new TaskDependencies(Budget, encoder, eventStore ?? ActorRefs.Nobody),
            typeName: "task-" + Guid.NewGuid().ToString("N"));

    protected RegistratorSettings Settings { get; }
    protected TestProbe Encoder { get; }
    protected FrameMemoryBudget Budget { get; }
    protected IActorRef Region { get; }

    protected static string NewKey() => "camera-" + Guid.NewGuid().ToString("N")[..8];

    protected static AddFrame Frame(string key, int width = 4, int height = 2, byte fill = 0, string? id = null)
    {
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, fill);
        return new AddFrame(key, width, height, pixels, id);
    }

    protected T Ask<T>(object message)
    {
        Region.Tell(message, TestActor);
        return ExpectMsg<T>();
    }

    protected TaskSnapshot Snapshot(string key) => Ask<TaskSnapshot>(new GetTask(key));

    protected Accepted Accept(object command) => Ask<Accepted>(command);

    /// <summary>Registers and plays the encoder: answers the job as <paramref name="succeed"/> says, returns the job and the registered event.</summary>
    protected (EncodeJob Job, TaskEvents.EventRegistered Event) Register(string key, bool succeed = true, string message = """{"model":"yolo"}""")
    {
        Region.Tell(new RegisterTask(key, message), TestActor);
        var job = Encoder.ExpectMsg<EncodeJob>();
        Encoder.Reply(succeed
            ? new EncodeSucceeded(job.EventId, $"/tmp/{job.EventId}/{job.EventId}.mp4", $"/tmp/{job.EventId}/{job.EventId}.jpg", job.Frames.Count, TimeSpan.FromMilliseconds(5))
            : new EncodeFailed(job.EventId, "no frames to encode"));
        return (job, ExpectMsg<TaskEvents.EventRegistered>());
    }

    /// <summary>Drives a fresh key into <paramref name="state"/> through the region, as a client would.</summary>
    protected void BringTo(string key, TaskState state)
    {
        switch (state)
        {
            case TaskState.None:
                break;
            case TaskState.Created:
                Accept(new CreateTask(key));
                break;
            case TaskState.Pending:
                Accept(new AddStatus(key, true));
                break;
            case TaskState.Done:
                Accept(new CreateTask(key));
                Accept(new StopTask(key));
                break;
            case TaskState.Finished or TaskState.Error:
                Accept(Frame(key));
                Accept(new AddStatus(key, true));
                Register(key, succeed: state == TaskState.Finished);
                break;
        }
        Assert.Equal(state, Snapshot(key).State);
    }
}
