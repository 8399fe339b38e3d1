using Registrator.Actors.Events;
using Registrator.Actors.EventStore.Retention;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore.Retention;

/// <summary>
/// Retention (the documentation's advice to watch Redis and disk): old events leave the sorted set together with
/// their clip, keyframe and folder, and nothing outside the output folder is ever deleted, whatever a member says.
/// </summary>
public sealed class RetentionSpec(RedisServer redis, ITestOutputHelper output) : EventStoreSpec(redis, output), IClassFixture<RedisServer>
{
    private static readonly double EightDays = TimeSpan.FromDays(8).TotalSeconds;

    [Fact]
    public async Task Retention_removes_events_older_than_max_age_together_with_their_files()
    {
        var old = NewEvent(timestamp: NowSeconds() - EightDays);
        var failedOld = NewEvent(error: "no frames", timestamp: NowSeconds() - EightDays);
        var recent = NewEvent(timestamp: NowSeconds() - 60);
        foreach (var e in new[] { old, failedOld, recent }) await SeedAsync(e);
        var retention = StartRetention(StartStore());

        retention.Tell(RunRetention.Instance, TestActor);

        var result = await ExpectMsgAsync<RetentionResult>(TimeSpan.FromSeconds(20));
        Assert.Equal(new RetentionResult(Removed: 2, Abandoned: 0, Waiting: 0, FilesDeleted: 2, FoldersDeleted: 1, Refused: 0, Failed: 0), result);
        Assert.Equal(EventMember.Build(recent), (string)Assert.Single(await MembersAsync()).Element!);
        Assert.False(File.Exists(old.VideoPath));
        Assert.False(File.Exists(old.ImagePath));
        Assert.False(Directory.Exists(Path.GetDirectoryName(old.VideoPath)));
        Assert.True(File.Exists(recent.VideoPath));
        Assert.True(File.Exists(recent.ImagePath));
    }

    [Fact]
    public async Task Retention_never_deletes_a_file_outside_the_output_path()
    {
        var decoyVideo = Path.Combine(Outside, "decoy.mp4");
        var decoyImage = Path.Combine(Outside, "decoy.jpg");
        var decoyBehindLink = Path.Combine(Outside, "linked.mp4");
        foreach (var decoy in new[] { decoyVideo, decoyImage, decoyBehindLink }) await File.WriteAllTextAsync(decoy, "keep me");
        var link = Path.Combine(OutputPath, "linked");
        Directory.CreateSymbolicLink(link, Outside);
        var old = NowSeconds() - EightDays;
        var absolute = NewEvent(timestamp: old) with { VideoPath = decoyVideo, ImagePath = "/etc/passwd" };
        var traversal = NewEvent(timestamp: old) with
        {
            VideoPath = OutputPath + "/../outside/decoy.jpg",
            ImagePath = Path.Combine(link, "linked.mp4"),
        };
        var relative = NewEvent(timestamp: old) with { VideoPath = "outside/decoy.mp4", ImagePath = null };
        foreach (var e in new[] { absolute, traversal, relative }) await SeedAsync(e, withFiles: false);
        var retention = StartRetention(StartStore());

        retention.Tell(RunRetention.Instance, TestActor);

        var result = await ExpectMsgAsync<RetentionResult>(TimeSpan.FromSeconds(20));
        Assert.Equal(new RetentionResult(Removed: 3, Abandoned: 0, Waiting: 0, FilesDeleted: 0, FoldersDeleted: 0, Refused: 5, Failed: 0), result);
        Assert.Empty(await MembersAsync());
        Assert.All(new[] { decoyVideo, decoyImage, decoyBehindLink }, decoy => Assert.True(File.Exists(decoy), decoy + " was deleted"));
        Assert.True(File.Exists("/etc/passwd"));
        Assert.NotNull(new DirectoryInfo(link).LinkTarget);
    }

    [Fact]
    public async Task Retention_keeps_only_the_newest_max_events()
    {
        var events = Enumerable.Range(0, 5).Select(i => NewEvent(timestamp: NowSeconds() - 100 + i)).ToArray();
        foreach (var e in events) await SeedAsync(e);
        var node = NewSystem(Redis.Port, "registrator.events.retention { max-age = 0s, max-events = 3 }");
        try
        {
            var retention = StartRetention(StartStore(node), node);

            retention.Tell(RunRetention.Instance, TestActor);

            var result = await ExpectMsgAsync<RetentionResult>(TimeSpan.FromSeconds(20));
            Assert.Equal(2, result.Removed);
            Assert.Equal(events[2..].Select(EventMember.Build), (await MembersAsync()).Select(m => (string)m.Element!));
            Assert.All(events[..2], e => Assert.False(File.Exists(e.VideoPath)));
            Assert.All(events[2..], e => Assert.True(File.Exists(e.VideoPath)));
        }
        finally
        {
            await node.Terminate();
        }
    }

    [Fact]
    public async Task Retention_runs_by_itself_every_interval()
    {
        var old = NewEvent(timestamp: NowSeconds() - EightDays);
        await SeedAsync(old);
        var node = NewSystem(Redis.Port, "registrator.events.retention.interval = 200ms");
        try
        {
            StartRetention(StartStore(node), node);

            await AwaitAssertAsync(async () => Assert.Empty(await MembersAsync()), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
            await AwaitAssertAsync(() => Assert.False(File.Exists(old.VideoPath)), TimeSpan.FromSeconds(5));
        }
        finally
        {
            await node.Terminate();
        }
    }
}
