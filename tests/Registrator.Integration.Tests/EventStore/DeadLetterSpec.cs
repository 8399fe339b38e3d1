using Akka.Actor;
using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Contracts;
using Registrator.Integration.Tests.Support;
using Registrator.Node;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>
/// Events Redis refuses for good (a key of the wrong type): after poison-attempts they go to the dead letters beside
/// the outbox with the reason, are never announced as registered, and the events behind them keep being recorded.
/// The list store's script checks the key types before it writes, so the refused event leaves no id behind that a
/// retry would take for "already recorded".
/// </summary>
public sealed class DeadLetterSpec(RedisServer redis, ITestOutputHelper output)
    : EventStoreSpec(redis, output, """
        registrator.events.store = list
        registrator.events.poison-attempts = 3
        """), IClassFixture<RedisServer>
{
    [Fact]
    public async Task An_event_whose_list_key_holds_a_string_goes_to_the_dead_letters_and_the_other_keys_keep_being_recorded()
    {
        var database = await ClientAsync();
        var poisoned = "camera-poisoned-" + Guid.NewGuid().ToString("N")[..6];
        await database.StringSetAsync("custom_events:" + poisoned, "not a list");
        var registered = CreateTestProbe();
        Sys.EventStream.Subscribe(registered.Ref, typeof(TaskEvents.EventRegistered));
        var dead = CreateTestProbe();
        Sys.EventStream.Subscribe(dead.Ref, typeof(EventDeadLettered));
        var replyTo = CreateTestProbe();
        var bad = NewEvent(taskKey: poisoned);
        var good = Enumerable.Range(0, 5).Select(i => NewEvent(taskKey: "camera-good-" + i)).ToArray();
        var store = StartStore();

        store.Tell(new RecordEvent(bad, replyTo.Ref), TestActor);
        foreach (var e in good) store.Tell(new RecordEvent(e, ActorRefs.Nobody), TestActor);

        var deadLettered = await dead.ExpectMsgAsync<EventDeadLettered>(TimeSpan.FromSeconds(30));
        Assert.Equal(bad.EventId, deadLettered.EventId);
        Assert.Contains("WRONGTYPE", deadLettered.Reason);
        var failed = await replyTo.ExpectMsgAsync<TaskEvents.RegistrationFailed>(TimeSpan.FromSeconds(10));
        Assert.Contains(bad.EventId.ToString("D"), failed.Reason);
        foreach (var e in good)
        {
            var r = await registered.ExpectMsgAsync<TaskEvents.EventRegistered>(TimeSpan.FromSeconds(30));
            Assert.Equal(e.EventId, r.EventId);
            Assert.Equal(1, await database.ListLengthAsync("custom_events:" + e.TaskKey));
        }
        // Never counted delivered: no id recorded, the key untouched, nothing announced for it.
        Assert.False(await database.KeyExistsAsync("custom_event_ids:" + poisoned));
        Assert.Equal("not a list", (string?)await database.StringGetAsync("custom_events:" + poisoned));
        registered.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var letters = new DeadLetterFile(OutboxPath).ReadAll(_ => true).Letters;
        var letter = Assert.Single(letters);
        Assert.Equal(bad.EventId, letter.EventId);
        Assert.Equal(3, letter.Attempts);
        Assert.Contains("WRONGTYPE", letter.Reason);
        // The outbox no longer holds it: a restart does not try it again.
        await AwaitAssertAsync(() => Assert.DoesNotContain(bad.EventId.ToString("D"), ReadOutbox()), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_dead_letter_replayed_after_the_key_is_fixed_is_recorded_once_and_leaves_the_file()
    {
        var database = await ClientAsync();
        var poisoned = "camera-replay-" + Guid.NewGuid().ToString("N")[..6];
        await database.StringSetAsync("custom_events:" + poisoned, "not a list");
        var dead = CreateTestProbe();
        Sys.EventStream.Subscribe(dead.Ref, typeof(EventDeadLettered));
        var bad = NewEvent(taskKey: poisoned);
        var store = StartStore();
        store.Tell(new RecordEvent(bad, ActorRefs.Nobody), TestActor);
        await dead.ExpectMsgAsync<EventDeadLettered>(d => d.EventId == bad.EventId, TimeSpan.FromSeconds(30));
        var config = WriteConfig();

        // Still poisoned: kept.
        var stillRefused = new StringWriter();
        Assert.Equal(1, await DeadLetterCommands.ReplayAsync(config, [], stillRefused, CancellationToken.None));
        Assert.Contains("still refused", stillRefused.ToString());
        Assert.Single(new DeadLetterFile(OutboxPath).ReadAll(_ => true).Letters);

        await database.KeyDeleteAsync("custom_events:" + poisoned);
        var listing = new StringWriter();
        await DeadLetterCommands.ListAsync(config, listing, CancellationToken.None);
        Assert.Contains(bad.EventId.ToString("D"), listing.ToString());
        Assert.Contains("WRONGTYPE", listing.ToString());
        Assert.Equal(0, await DeadLetterCommands.ReplayAsync(config, [], new StringWriter(), CancellationToken.None));
        Assert.Equal(0, await DeadLetterCommands.ReplayAsync(config, [bad.EventId], new StringWriter(), CancellationToken.None));

        var entries = await database.ListRangeAsync("custom_events:" + poisoned);
        Assert.Contains(bad.EventId.ToString("D"), (string?)Assert.Single(entries));
        Assert.Empty(new DeadLetterFile(OutboxPath).ReadAll(_ => true).Letters);
    }

    private string ReadOutbox() => File.Exists(OutboxFile) ? File.ReadAllText(OutboxFile) : "";

    /// <summary>The test's configuration as a --config file for the CLI (the key parts: Redis, store, outbox).</summary>
    private FileInfo WriteConfig()
    {
        var path = Path.Combine(Outside, "cli.conf");
        File.WriteAllText(path, $$"""
            registrator.media.output-path = {{System.Text.Json.JsonSerializer.Serialize(OutputPath)}}
            registrator.redis { host = "127.0.0.1", port = {{Redis.Port}} }
            registrator.events {
              store = list
              sorted-set-key = {{System.Text.Json.JsonSerializer.Serialize(EventsKey)}}
              outbox-path = {{System.Text.Json.JsonSerializer.Serialize(OutboxPath)}}
            }
            """);
        return new FileInfo(path);
    }
}
