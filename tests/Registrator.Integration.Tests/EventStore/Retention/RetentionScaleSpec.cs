using System.Diagnostics;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Retention;
using Registrator.Actors.Redis;
using Registrator.Integration.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore.Retention;

/// <summary>
/// Retention and the orphan sweep past one batch (1,000 records): expired events another live node holds fill the
/// front of the sorted set, and this node still finds and removes all of its own behind them, in one run.
/// </summary>
public sealed class RetentionScaleSpec(RedisServer redis, ITestOutputHelper output) : EventStoreSpec(redis, output), IClassFixture<RedisServer>
{
    private const int PerNode = 2_500;
    private static readonly double EightDays = TimeSpan.FromDays(8).TotalSeconds;

    [Fact]
    public async Task A_run_removes_all_its_own_expired_events_behind_thousands_left_for_another_live_node_and_a_sweep_finds_thousands_of_orphans()
    {
        var database = await ClientAsync();
        var other = "other-node-" + Guid.NewGuid().ToString("N")[..8];
        await database.HashSetAsync(RedisKeys.Nodes, other, (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        var self = NodeIdOf();
        var old = NowSeconds() - EightDays;
        // The other node's events are the oldest: every page of the age range starts with them.
        var theirs = Enumerable.Range(0, PerNode).Select(i => NewEvent(timestamp: old + i * 0.001)).ToArray();
        var ours = Enumerable.Range(0, PerNode).Select(i => NewEvent(timestamp: old + 10 + i * 0.001)).ToArray();
        foreach (var e in ours) WriteFiles(e, DateTime.UtcNow);
        foreach (var chunk in theirs.Select(e => new SortedSetEntry(EventMember.Build(e, new EventOrigin(null, other)), e.Timestamp))
                     .Concat(ours.Select(e => new SortedSetEntry(EventMember.Build(e, new EventOrigin(null, self)), e.Timestamp))).Chunk(1000))
            await database.SortedSetAddAsync(EventsKey, chunk);
        var retention = StartRetention(StartStore());

        var clock = Stopwatch.StartNew();
        retention.Tell(RunRetention.Instance, TestActor);
        var result = await ExpectMsgAsync<RetentionResult>(TimeSpan.FromSeconds(120));
        var runTime = clock.Elapsed;

        Assert.Equal(new RetentionResult(Removed: PerNode, Abandoned: 0, Waiting: PerNode, FilesDeleted: 2 * PerNode, FoldersDeleted: PerNode, Refused: 0, Failed: 0), result);
        Assert.Equal(PerNode, await database.SortedSetLengthAsync(EventsKey));
        Assert.All(ours, e => Assert.False(File.Exists(e.VideoPath)));

        var orphans = Enumerable.Range(0, PerNode).Select(_ => NewEvent()).ToArray();
        foreach (var e in orphans) WriteFiles(e, DateTime.UtcNow - TimeSpan.FromHours(2));
        clock.Restart();
        retention.Tell(RunOrphanSweep.Instance, TestActor);
        var sweep = await ExpectMsgAsync<OrphanSweepResult>(TimeSpan.FromSeconds(120));
        var sweepTime = clock.Elapsed;

        Assert.Equal(new OrphanSweepResult(null, FilesSeen: 2 * PerNode, FilesDeleted: 2 * PerNode, FoldersDeleted: PerNode, Failed: 0), sweep);
        Assert.Empty(Directory.GetDirectories(OutputPath));
        Output?.WriteLine($"retention run: {PerNode} removed + {PerNode} files x2 deleted behind {PerNode} kept in {runTime.TotalMilliseconds:F0} ms; " +
                          $"orphan sweep: {PerNode} members read, {2 * PerNode} orphans deleted in {sweepTime.TotalMilliseconds:F0} ms");
    }

    private static void WriteFiles(RegisteredEvent e, DateTime written)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(e.VideoPath)!);
        foreach (var path in new[] { e.VideoPath!, e.ImagePath! })
        {
            File.WriteAllText(path, "proof");
            File.SetLastWriteTimeUtc(path, written);
        }
    }
}
