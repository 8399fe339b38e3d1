using Registrator.Actors.EventStore;
using Registrator.Actors.Redis;
using StackExchange.Redis;

// The client's exceptions are built here as the client would build them; their simple constructors are obsolete only
// in favour of ones that also carry the command's flags, which classification does not look at.
#pragma warning disable CS0618

namespace Registrator.Integration.Tests.EventStore;

/// <summary>Where the outbox goes by default, when its file system forgets at a reboot, and which Redis errors are worth retrying.</summary>
public sealed class OutboxLocationSpec
{
    [Fact]
    public void The_default_outbox_is_a_folder_of_the_node_in_the_data_directory_not_under_TMP_PATH()
    {
        var created = new List<string>();
        var (directory, warning) = OutboxLocation.Resolve(null, "/tmp", null, folder => { created.Add(folder); return true; });

        Assert.StartsWith("/var/lib/registrator/outbox/tmp-", directory);
        Assert.Equal([directory], created);
        Assert.Null(warning);
        var (fromEnvironment, _) = OutboxLocation.Resolve("", "/tmp", "/data/registrator", _ => true);
        Assert.Equal("/data/registrator/outbox/" + OutboxLocation.FolderNameOf("/tmp"), fromEnvironment);
        // Nodes on one host, each with its own TMP_PATH, get folders of their own; the same path, the same folder.
        Assert.NotEqual(OutboxLocation.FolderNameOf("/tmp/node-1"), OutboxLocation.FolderNameOf("/tmp/node_1"));
        Assert.Equal(OutboxLocation.FolderNameOf("/tmp/node-1"), OutboxLocation.FolderNameOf("/tmp/node-1/"));
    }

    [Fact]
    public void A_configured_outbox_path_is_used_as_is_and_an_unwritable_data_directory_falls_back_with_a_warning()
    {
        Assert.Equal(("/srv/outbox", (string?)null), OutboxLocation.Resolve("/srv/outbox", "/tmp", "/data", _ => throw new InvalidOperationException("not asked")));

        var (directory, warning) = OutboxLocation.Resolve(null, "/media/clips", null, _ => false);

        Assert.Equal("/media/clips/outbox", directory);
        Assert.Contains("REGISTRATOR_DATA", warning);
    }

    [Fact]
    public void The_file_system_of_a_path_is_that_of_the_longest_mount_point_holding_it()
    {
        const string mounts = """
            /dev/sda1 / ext4 rw,relatime 0 0
            tmpfs /tmp tmpfs rw,nosuid,nodev 0 0
            /dev/sdb1 /tmp/persistent xfs rw 0 0
            tmpfs /var/lib/my\040data tmpfs rw 0 0
            """;

        Assert.Equal("tmpfs", OutboxLocation.FileSystemOf("/tmp/outbox", mounts));
        Assert.Equal("xfs", OutboxLocation.FileSystemOf("/tmp/persistent/outbox", mounts));
        Assert.Equal("ext4", OutboxLocation.FileSystemOf("/tmpfoo/outbox", mounts));
        Assert.Equal("tmpfs", OutboxLocation.FileSystemOf("/var/lib/my data/outbox", mounts));
        Assert.True(OutboxLocation.IsVolatile("tmpfs"));
        Assert.False(OutboxLocation.IsVolatile("ext4"));
        Assert.False(OutboxLocation.IsVolatile(null));
    }

    [Theory]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value", true)]
    [InlineData("WRONGTYPE custom_events:k holds a string, not a list script: 1f2e, on @user_script:5.", true)]
    [InlineData("NOPERM User registrator has no permissions to run the 'zadd' command", true)]
    [InlineData("ERR wrong number of arguments for 'zadd' command", true)]
    [InlineData("LOADING Redis is loading the dataset in memory", false)]
    [InlineData("BUSY Redis is busy running a script", false)]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'.", false)]
    [InlineData("ERR max number of clients reached", false)]
    [InlineData("MASTERDOWN Link with MASTER is down", false)]
    [InlineData("READONLY You can't write against a read only replica.", false)]
    public void Only_errors_no_retry_can_fix_are_permanent(string reply, bool permanent)
    {
        Assert.Equal(permanent, RedisErrors.IsPermanent(new RedisServerException(reply)));
    }

    [Fact]
    public void Connection_and_timeout_failures_are_transient()
    {
        Assert.False(RedisErrors.IsPermanent(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down")));
        Assert.False(RedisErrors.IsPermanent(new RedisTimeoutException("slow", CommandStatus.Sent)));
        Assert.False(RedisErrors.IsPermanent(new TimeoutException()));
        Assert.False(RedisErrors.IsPermanent(new OperationCanceledException()));
        Assert.True(RedisErrors.IsPermanent(new AggregateException(new RedisServerException("WRONGTYPE x"))));
    }
}
