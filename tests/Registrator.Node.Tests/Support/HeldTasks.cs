using System.Collections.Concurrent;
using System.Text.Json;
using Registrator.Media;

namespace Registrator.Node.Tests.Support;

/// <summary>
/// Tasks that a test keeps busy from outside, as cameras and a detector would: each key gets the same numbered JPEG
/// frames (<see cref="NumberedFrames"/>, each told apart by PSNR) on <c>registrator.frames</c> with capture times 1/10 s
/// apart, and one inference result per frame on <c>inference.results</c> (every third a detection). What was sent is
/// what every check expects back: the snapshot over HTTP, the one event per key in Redis, and the clip, frame by frame.
/// </summary>
/// <param name="firstFrame">The number of the first frame sent: a new cycle of tasks that already registered starts after
/// the frames of the last one (capture times only move forward).</param>
public sealed class HeldTasks(ProcessCluster cluster, IReadOnlyList<string> keys, int firstFrame = 0)
{
    public const int Width = NumberedFrames.Width;
    public const int Height = NumberedFrames.Height;

    private static readonly ConcurrentDictionary<int, byte[]> Jpegs = new();

    public IReadOnlyList<string> Keys { get; } = keys;

    /// <summary>Frames (and results) sent to every key so far: frames firstFrame … firstFrame + FramesSent − 1.</summary>
    public int FramesSent { get; private set; }

    /// <summary>The number of the next frame to send.</summary>
    public int NextFrame => firstFrame + FramesSent;

    private IEnumerable<int> Sent => Enumerable.Range(firstFrame, FramesSent);

    public static HeldTasks Create(ProcessCluster cluster, int count, string prefix) =>
        new(cluster, Enumerable.Range(0, count).Select(i => $"{prefix}-{i}-{Guid.NewGuid().ToString("N")[..8]}").ToArray());

    public static bool Detected(int index) => index % 3 == 0;

    /// <summary>The JPEG of numbered frame <paramref name="index"/> (quality 95).</summary>
    public static byte[] Jpeg(int index) =>
        Jpegs.GetOrAdd(index, i => JpegKeyframe.Encode(NumberedFrames.One(i), Width, Height, 95));

    /// <summary>
    /// The next <paramref name="frames"/> frames and results for every key, keys interleaved frame by frame; with
    /// <paramref name="swapPairs"/> each pair goes out later frame first (1, 0, 3, 2, ...), as two cameras' publishers or
    /// two network paths would reorder them (<paramref name="frames"/> must then be even). With <paramref name="interval"/>
    /// one frame per key goes out per interval, as a live camera publishes (otherwise all at once, as a backlog).
    /// </summary>
    public async Task FeedAsync(int frames, bool swapPairs = false, TimeSpan? interval = null)
    {
        if (swapPairs && frames % 2 != 0) throw new ArgumentOutOfRangeException(nameof(frames), frames, "pairs: an even count");
        using var pace = interval is { } period ? new PeriodicTimer(period) : null;
        for (var n = 0; n < frames; n++)
        {
            if (pace is not null && n > 0) await pace.WaitForNextTickAsync();
            var i = NextFrame + (swapPairs ? n ^ 1 : n);
            foreach (var key in Keys)
            {
                await cluster.PublishFrameAsync(key, i, Jpeg(i));
                await cluster.PublishResultAsync(key, i, Detected(i));
            }
        }
        FramesSent += frames;
    }

    /// <summary>
    /// Frames and results for every key at a camera's rate (10 per second, one per key per tick) until
    /// <paramref name="stop"/> is cancelled or <paramref name="maxFrames"/> are sent; returns how many were.
    /// </summary>
    public async Task<int> FeedLiveAsync(int maxFrames, CancellationToken stop)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(0.1));
        var sent = 0;
        while (sent < maxFrames && !stop.IsCancellationRequested)
        {
            await FeedAsync(1);
            sent++;
            try { await pace.WaitForNextTickAsync(stop); }
            catch (OperationCanceledException) { break; }
        }
        return sent;
    }

    /// <summary>Waits until every key's snapshot on <paramref name="via"/> holds everything sent (<see cref="AssertHolds"/>).</summary>
    /// <param name="lateAllowed">Frames the task rejected as late (and counted) stand for frames sent; nothing else is missing.</param>
    public async Task AwaitHeldAsync(NodeProcess via, TimeSpan? within = null, bool lateAllowed = false)
    {
        foreach (var key in Keys)
            await Poll.UntilAsync(async () => AssertHolds(await SnapshotAsync(via, key), lateAllowed), within ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// The task holds every status and every frame sent: none pending, dropped or skipped, and none late unless
    /// <paramref name="lateAllowed"/> (then the frames held and the late ones together are the frames sent).
    /// </summary>
    public void AssertHolds(JsonElement snapshot, bool lateAllowed = false)
    {
        var key = snapshot.GetProperty("key").GetString();
        var statuses = snapshot.GetProperty("statuses").EnumerateArray().Select(s => s.GetBoolean()).ToArray();
        var expectedDetections = Sent.Count(Detected);
        var late = snapshot.GetProperty("frames_late").GetInt32();
        var seen = (
            Frames: snapshot.GetProperty("frame_count").GetInt32() + (lateAllowed ? late : 0),
            Pending: snapshot.GetProperty("frames_pending").GetInt32(),
            Lost: snapshot.GetProperty("frames_dropped").GetInt32() + snapshot.GetProperty("frames_skipped").GetInt32() + (lateAllowed ? 0 : late),
            Statuses: statuses.Length,
            Detections: statuses.Count(s => s));
        var label = lateAllowed ? "(frames + late, pending, dropped+skipped" : "(frames, pending, dropped+skipped+late";
        Assert.True(seen == (FramesSent, 0, 0, FramesSent, expectedDetections),
            $"task {key}: {label}, statuses, detections) = {seen}, expected {(FramesSent, 0, 0, FramesSent, expectedDetections)}; snapshot {snapshot}");
        // Results carry their frame's capture time: the newest is the latest message, whichever order they came in.
        Assert.Equal(ProcessCluster.FrameId(NextFrame - 1), snapshot.GetProperty("latest_message").GetProperty("frame_id").GetString());
    }

    public static Task<JsonElement> SnapshotAsync(NodeProcess via, string key) => via.GetJsonAsync("/api/tasks/" + Uri.EscapeDataString(key));

    /// <summary>
    /// Registers every key (the NATS <c>register</c> command) and checks what came of it: one event per key in Redis, with
    /// the id the reply named, and a clip (fetched from <paramref name="via"/>, which proxies it when another node wrote
    /// it) that holds every frame the task held (all sent, unless <paramref name="lateAllowed"/>), in capture order.
    /// </summary>
    /// <returns>The frames each task had rejected as late, by key.</returns>
    public async Task<IReadOnlyDictionary<string, int>> RegisterAndVerifyAsync(NodeProcess via, bool lateAllowed = false)
    {
        var registered = new Dictionary<string, string>();
        var late = new Dictionary<string, int>();
        foreach (var key in Keys)
        {
            var snapshot = await SnapshotAsync(via, key);
            AssertHolds(snapshot, lateAllowed);
            late[key] = snapshot.GetProperty("frames_late").GetInt32();
            var reply = await cluster.CommandAsync("register", key, $$"""{"model":"yolo","frame_id":"{{ProcessCluster.FrameId(NextFrame - 1)}}"}""");
            Assert.True(reply.GetProperty("ok").GetBoolean() && reply.GetProperty("error").ValueKind == JsonValueKind.Null, $"register {key}: {reply}");
            registered[key] = reply.GetProperty("event_id").GetString()!;
        }

        var events = await cluster.EventsInRedisAsync();
        var sources = NumberedFrames.Make(NextFrame);
        foreach (var key in Keys)
        {
            var ofKey = events.Where(e => e.Key == key).ToArray();
            Assert.True(ofKey.Length == 1 && ofKey[0].EventId == registered[key],
                $"task {key}: expected exactly event {registered[key]} in Redis, found [{string.Join(", ", ofKey.Select(e => e.EventId))}]");
            var clip = await cluster.DownloadClipAsync(via, registered[key]);
            Assert.Equal(FramesSent - late[key], FfmpegCli.Probe(clip).FramesRead);
            AssertInCaptureOrder(key, FfmpegCli.Decode(clip, Width, Height), sources, late[key]);
        }
        return late;
    }

    /// <summary>
    /// The clip's frames are sent frames in capture order, with at most <paramref name="missing"/> of them left out:
    /// each clip frame is closest (above 30 dB) to a source after the previous one's, within the gap the missing frames
    /// allow, and closer to it than to its neighbours, so a frame missing, doubled or out of place shows. A few
    /// comparisons a frame, not one per source: clips of hundreds of frames stay cheap to check.
    /// </summary>
    private void AssertInCaptureOrder(string key, IReadOnlyList<byte[]> decoded, IReadOnlyList<byte[]> sources, int missing)
    {
        Assert.Equal(FramesSent - missing, decoded.Count);
        var previous = firstFrame - 1;
        var gapLeft = missing;
        for (var k = 0; k < decoded.Count; k++)
        {
            var candidates = Enumerable.Range(previous + 1, gapLeft + 1).Where(n => n < sources.Count).ToArray();
            var best = candidates.Select(n => (Source: n, Db: Psnr.Of(sources[n], decoded[k]))).MaxBy(c => c.Db);
            var after = best.Source + 1 < sources.Count ? Psnr.Of(sources[best.Source + 1], decoded[k]) : double.NegativeInfinity;
            Assert.True(best.Db > 30 && best.Db > after,
                $"task {key}: clip frame {k} is none of frames {previous + 1}…{previous + 1 + gapLeft} in order (best {best.Source} at {best.Db:F1} dB, next {after:F1} dB)");
            gapLeft -= best.Source - previous - 1;
            previous = best.Source;
        }
    }
}
