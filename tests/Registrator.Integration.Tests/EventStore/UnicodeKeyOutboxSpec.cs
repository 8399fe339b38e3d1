using System.Text.Json;
using Registrator.Actors.Events;
using Registrator.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Registrator.Integration.Tests.EventStore;

/// <summary>
/// The outbox line of an event whose key has Cyrillic, a slash, quotes and a backslash: the key raw UTF-8 as in the
/// Redis member, and the member kept as its payload byte for byte, which is what Redis gets when the line is delivered.
/// </summary>
public sealed class UnicodeKeyOutboxSpec(RedisServer redis, ITestOutputHelper output) : EventStoreSpec(redis, output), IClassFixture<RedisServer>
{
    private const string Key = "камера/вход-1 \"q\" \\ b";
    private const string KeyJson = "\"камера/вход-1 \\\"q\\\" \\\\ b\"";

    [Fact]
    public async Task The_outbox_line_holds_the_key_raw_and_delivers_its_payload_as_the_member()
    {
        var e = NewEvent(taskKey: Key);

        await LeaveInOutboxAsync(e);
        var line = Assert.Single(await File.ReadAllLinesAsync(OutboxFile, System.Text.Encoding.UTF8));
        Assert.Contains("\"task_key\":" + KeyJson, line);
        Assert.DoesNotContain("\\u", line);
        using var document = JsonDocument.Parse(line);
        var payload = document.RootElement.GetProperty("payload").GetString();
        Assert.StartsWith("{" + KeyJson + ":{", payload);

        await DeliverOnAnotherNodeAsync(e);
        var member = (string)Assert.Single(await MembersAsync()).Element!;
        Assert.Equal(payload, member);
        Assert.Equal(Key, EventMember.Parse(System.Text.Encoding.UTF8.GetBytes(member))?.TaskKey);
    }
}
