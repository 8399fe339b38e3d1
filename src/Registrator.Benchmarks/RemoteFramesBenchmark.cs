using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Registrator.Actors.Configuration;
using Registrator.Actors.Encoding;
using Registrator.Actors.Tasks;
using Registrator.Contracts;
using Registrator.Media;
using static Registrator.Benchmarks.BenchStats;

namespace Registrator.Benchmarks;

/// <summary>
/// 640×480 AddFrame from a client actor system (this process) to a task on a registrator node (a child process, hidden
/// verb <c>remote-frames-node</c>, with its real encoder pool) over loopback remoting: our serializer on both ends plus
/// Akka.Remote. Each frame is Asked (the task's Accepted is the acknowledgement) with a window of frames in flight, once
/// as raw BGR24 (921,600 bytes) and once as the JPEG of the same frame (FrameFormat.Jpeg, decoded by the encoder on the
/// node). Reports frames per second and, per side, the bytes allocated per frame (GC.GetTotalAllocatedBytes(precise)
/// deltas of each process, every thread; the node's after its encoder has taken every frame) divided by the frame's
/// wire size: the copies each side makes. Encoded packets cross nodes only inside a task's state on a hand-off
/// (<see cref="TaskDataSerializer"/> through Redis): its round trip of a 30-frame state is measured too, MB/s and copies.
/// </summary>
internal static class RemoteFramesBenchmark
{
    public const string ChildVerb = "remote-frames-node";
    private const int Width = BenchFrames.Width, Height = BenchFrames.Height;
    private const int FramesInState = 30, RoundTrips = 500;

    public static async Task<int> Run(string[] args)
    {
        var frames = BenchArgs.Int(args, "--frames", 3000);
        var window = BenchArgs.Int(args, "--window", 8);
        var start = SelfProcess.StartInfo([], ChildVerb, [], captureOutput: true);
        start.RedirectStandardInput = true;
        using var child = Process.Start(start) ?? throw new InvalidOperationException("the node child did not start");
        try
        {
            var node = new ChildNode(child);
            var address = node.ReadLine("address");
            using var client = BenchCluster.StartClient(Address.Parse(address));
            var proxy = RegistratorCluster.StartTaskProxy(client);

            // A testsrc2 frame: the transport does not care what the pixels are, and the encoder stays cheap (a random
            // frame would cost the task's encoder tens of milliseconds each, taken from this 2-core machine's transport).
            var pixels = BenchFrames.Generate(1)[0];
            var jpeg = JpegKeyframe.Encode(pixels, Width, Height, 90);
            var rows = new List<string>();
            foreach (var (format, payload) in new[] { (FrameFormat.Bgr24, pixels), (FrameFormat.Jpeg, jpeg) })
            {
                await Send(proxy, payload, format, 200, window, $"warm-up-{format}");   // JIT, connections, shard allocation
                await WaitEncodedAsync(proxy, $"warm-up-{format}");
                var key = $"bench-{format}";
                GC.Collect();
                var clientBefore = GC.GetTotalAllocatedBytes(precise: true);
                var nodeBefore = node.Allocated();
                var clock = Stopwatch.StartNew();
                await Send(proxy, payload, format, frames, window, key);
                clock.Stop();
                var clientAllocated = GC.GetTotalAllocatedBytes(precise: true) - clientBefore;
                var encoded = Stopwatch.StartNew();
                await WaitEncodedAsync(proxy, key);
                encoded.Stop();
                var nodeAllocated = node.Allocated() - nodeBefore;

                var perSecond = frames / clock.Elapsed.TotalSeconds;
                var clientPerFrame = (double)clientAllocated / frames;
                var nodePerFrame = (double)nodeAllocated / frames;
                rows.Add(Invariant($"| {format} | {payload.Length:N0} | {frames} | {window} | {perSecond:F0} | {perSecond * payload.Length / 1e6:F1} | {clientPerFrame:N0} B = {clientPerFrame / payload.Length:F2}× | {nodePerFrame:N0} B = {nodePerFrame / payload.Length:F2}× | {encoded.Elapsed.TotalSeconds:F1} |"));
            }
            var (decodeAllocated, decodeTime) = Decode(jpeg);

            Console.WriteLine($"## Remote AddFrame, {Width}x{Height}, client system (this process) → node (child process, encoder pool) over loopback; {LoadAverage()}");
            Console.WriteLine();
            Console.WriteLine("| format | bytes a frame | frames | in flight | frames/s | MB/s on the wire | client allocated per frame = copies | node allocated per frame = copies | node still encoding after the last Accepted, s |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in rows) Console.WriteLine(row);
            Console.WriteLine();
            Console.WriteLine(Invariant($"copies = bytes allocated ÷ the frame's bytes (every thread of that process). The node's JPEG figure includes decoding it to BGR24 on the encoder: JpegFrame.Decode allocates {decodeAllocated:N0} B a frame = {decodeAllocated / (double)jpeg.Length:F2}× the JPEG, and takes {decodeTime.TotalMilliseconds:F2} ms (median of 50, this process) on the encoder's thread before x264 sees the frame."));
            Console.WriteLine();
            StateRoundTrip((ExtendedActorSystem)client);

            node.Quit();
            await client.Terminate();
            return child.ExitCode;
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The node: prints its address, then answers each "allocated" line on stdin with its GC.GetTotalAllocatedBytes; "quit" stops it.</summary>
    public static async Task<int> RunChild(string[] args)
    {
        _ = args;
        using var node = BenchCluster.StartNode();
        var encoders = EncoderPool.Start(node, RegistratorSettings.From(node).Media);
        BenchCluster.StartRegion(node, encoders, ActorRefs.Nobody);
        Console.WriteLine($"address {Akka.Cluster.Cluster.Get(node).SelfAddress}");
        while (Console.ReadLine() is { } line && line != "quit")
        {
            if (line == "allocated") Console.WriteLine(Invariant($"allocated {GC.GetTotalAllocatedBytes(precise: true)}"));
        }
        await node.Terminate();
        return 0;
    }

    /// <summary>The node child's stdin/stdout: one request line, one answer line "name value".</summary>
    private sealed class ChildNode(Process process)
    {
        public string ReadLine(string name)
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith(name + " ", StringComparison.Ordinal)) return line[(name.Length + 1)..];
            }
            throw new InvalidOperationException($"the node child ended before it printed '{name}' (exit code {(process.HasExited ? process.ExitCode : -1)})");
        }

        public long Allocated()
        {
            process.StandardInput.WriteLine("allocated");
            process.StandardInput.Flush();
            return long.Parse(ReadLine("allocated"), CultureInfo.InvariantCulture);
        }

        public void Quit()
        {
            process.StandardInput.WriteLine("quit");
            process.StandardInput.Flush();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) throw new TimeoutException("the node child did not stop");
        }
    }

    private static async Task Send(IActorRef proxy, byte[] payload, FrameFormat format, int count, int window, string key)
    {
        var inFlight = new Queue<Task<object>>();
        for (var i = 0; i < count; i++)
        {
            if (inFlight.Count == window) Check(await inFlight.Dequeue());
            inFlight.Enqueue(proxy.Ask<object>(new TaskCommands.AddFrame(key, Width, Height, payload, i.ToString(CultureInfo.InvariantCulture), Format: format), TimeSpan.FromSeconds(30)));
        }
        while (inFlight.Count > 0) Check(await inFlight.Dequeue());
    }

    /// <summary>Until the task has nothing at its encoder: the node's allocations then include every frame's decoding and encoding.</summary>
    private static async Task WaitEncodedAsync(IActorRef proxy, string key)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await proxy.Ask<TaskReplies.TaskSnapshot>(new TaskQueries.GetTask(key), TimeSpan.FromSeconds(30))).FramesPending > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"[{key}] frames still at the encoder after 2 minutes");
            await Task.Delay(20);
        }
    }

    private static void Check(object reply)
    {
        if (reply is not TaskReplies.Accepted) throw new InvalidOperationException($"frame not accepted: {reply}");
    }

    /// <summary>Bytes one JpegFrame.Decode allocates, and the median time of 50.</summary>
    private static (long Allocated, TimeSpan Median) Decode(byte[] jpeg)
    {
        JpegFrame.Decode(jpeg, Width, Height);
        var before = GC.GetAllocatedBytesForCurrentThread();
        JpegFrame.Decode(jpeg, Width, Height);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var times = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var clock = Stopwatch.StartNew();
            JpegFrame.Decode(jpeg, Width, Height);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (allocated, TimeSpan.FromMilliseconds(Median(times)));
    }

    /// <summary>
    /// A task's state with 30 buffered frames (the packets of one H264Session over 30 testsrc2 frames, keyint 10) through
    /// TaskDataSerializer's ToBinary and FromBinary, as a hand-off writes it to Redis and the next incarnation reads it.
    /// </summary>
    private static void StateRoundTrip(ExtendedActorSystem system)
    {
        var packets = BenchFrames.EncodeDirect(BenchFrames.Generate(FramesInState));
        var frames = new CycleFrames { Width = Width, Height = Height, ForceKeyframeNext = false };
        for (var i = 0; i < packets.Count; i++)
            (frames, _) = (frames with { InFlight = 1 }).Append(new BufferedFrame(packets[i], i.ToString(CultureInfo.InvariantCulture)));
        var state = TaskData.New("state-round-trip", new TaskSettingsView(30, 0.3)) with { Frames = frames };
        var serializer = new TaskDataSerializer(system);
        var size = serializer.ToBinary(state).Length;
        for (var i = 0; i < 20; i++) serializer.FromBinary(serializer.ToBinary(state), TaskDataSerializer.ManifestV2); // JIT

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var write = TimeSpan.Zero;
        var read = TimeSpan.Zero;
        var clock = new Stopwatch();
        for (var i = 0; i < RoundTrips; i++)
        {
            clock.Restart();
            var bytes = serializer.ToBinary(state);
            write += clock.Elapsed;
            clock.Restart();
            var back = (TaskData)serializer.FromBinary(bytes, TaskDataSerializer.ManifestV2);
            read += clock.Elapsed;
            if (back.Frames.Count != FramesInState) throw new InvalidOperationException($"the state came back with {back.Frames.Count} frames");
        }
        var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)RoundTrips;
        Console.WriteLine($"## Task state hand-off: TaskDataSerializer round trip of a {FramesInState}-frame state (the packets that cross nodes)");
        Console.WriteLine();
        Console.WriteLine("| frames | packet bytes | state bytes | ToBinary MB/s | FromBinary MB/s | round trip µs | allocated per round trip = copies |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(Invariant($"| {FramesInState} | {frames.Bytes:N0} | {size:N0} | {size * (double)RoundTrips / write.TotalSeconds / 1e6:F0} | {size * (double)RoundTrips / read.TotalSeconds / 1e6:F0} | {(write + read).TotalMicroseconds / RoundTrips:F0} | {allocated:N0} B = {allocated / size:F2}× |"));
    }
}
