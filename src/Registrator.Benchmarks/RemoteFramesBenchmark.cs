using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Contracts;

namespace Registrator.Benchmarks;

/// <summary>
/// 640×480 AddFrame from a client actor system to a task on a registrator node over loopback remoting: our
/// serializer on both ends plus Akka.Remote. Each frame is Asked (the task's Accepted is the acknowledgement) with
/// a window of frames in flight. Reports frames per second and bytes allocated per frame (both systems live in this
/// process, so the figure covers serialization, transport and deserialization), next to the frame's own size.
/// The node runs its real encoder pool (a task without one rejects frames); the frames carry no capture time, so the
/// task keeps one per 1/fps of arrival (10 a second) for its encoder and skips the rest: the figure is the transport's.
/// </summary>
internal static class RemoteFramesBenchmark
{
    private const int Width = 640, Height = 480;

    public static async Task<int> Run(string[] args)
    {
        var frames = BenchArgs.Int(args, "--frames", 3000);
        var window = BenchArgs.Int(args, "--window", 8);
        using var node = BenchCluster.StartNode();
        using var client = BenchCluster.StartClient(node);
        var encoders = EncoderPool.Start(node, RegistratorSettings.From(node).Media);
        BenchCluster.StartRegion(node, encoders, ActorRefs.Nobody);
        var proxy = RegistratorCluster.StartTaskProxy(client);

        // A testsrc2 frame: the transport does not care what the pixels are, and the encoder stays cheap (a random
        // frame would cost the task's encoder tens of milliseconds each, taken from this 2-core machine's transport).
        var pixels = BenchFrames.Generate(1)[0];
        await Send(proxy, pixels, 200, window, "warm-up");   // JIT, connections, shard allocation

        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await Send(proxy, pixels, frames, window, "bench");
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var perSecond = frames / clock.Elapsed.TotalSeconds;
        var perFrame = (double)allocated / frames;
        Console.WriteLine($"## Remote AddFrame, {Width}x{Height} BGR24 ({pixels.Length:N0} bytes a frame), client system → node over loopback");
        Console.WriteLine();
        Console.WriteLine("| frames | in flight | frames/s | MB/s of pixels | allocated per frame (both ends) | ÷ frame size |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {frames} | {window} | {perSecond:F0} | {perSecond * pixels.Length / 1e6:F0} | {perFrame:N0} B | {perFrame / pixels.Length:F2}× |"));
        await client.Terminate();
        await node.Terminate();
        return 0;
    }

    private static async Task Send(IActorRef proxy, byte[] pixels, int count, int window, string key)
    {
        var inFlight = new Queue<Task<object>>();
        for (var i = 0; i < count; i++)
        {
            if (inFlight.Count == window) Check(await inFlight.Dequeue());
            inFlight.Enqueue(proxy.Ask<object>(new TaskCommands.AddFrame(key, Width, Height, pixels, i.ToString(CultureInfo.InvariantCulture)), TimeSpan.FromSeconds(30)));
        }
        while (inFlight.Count > 0) Check(await inFlight.Dequeue());
    }

    private static void Check(object reply)
    {
        if (reply is not TaskReplies.Accepted) throw new InvalidOperationException($"frame not accepted: {reply}");
    }
}
