using System.Text;
using System.Text.Json;
using Registrator.Actors.Events;

namespace Registrator.Node.Tests.Http;

/// <summary>
/// A key with Cyrillic, a slash, quotes and a backslash reads the same, raw UTF-8, on every wire an event crosses:
/// the registrator.events message, the Redis member, the HTTP replies and the command replies (the outbox line, empty
/// once Redis has the event, is Registrator.Integration.Tests' UnicodeKeyOutboxSpec).
/// </summary>
[Collection(UnicodeKeyEvent.Collection)]
public sealed class UnicodeKeyWireSpec(UnicodeKeyEvent fixture)
{
    private const string KeyProperty = "\"key\":" + UnicodeKeyEvent.KeyJson;

    [Fact]
    public async Task The_registrator_events_message_is_the_Redis_member_byte_for_byte()
    {
        var member = await fixture.MemberAsync();

        Assert.Equal(member, fixture.EventMessage);
        AssertRaw(Encoding.UTF8.GetString(fixture.EventMessage), "{" + UnicodeKeyEvent.KeyJson + ":{");
    }

    [Fact]
    public async Task The_Redis_member_holds_the_key_raw_and_reads_back()
    {
        var member = await fixture.MemberAsync();

        AssertRaw(Encoding.UTF8.GetString(member), "{" + UnicodeKeyEvent.KeyJson + ":{");
        var read = EventMember.Parse(member);
        Assert.Equal((UnicodeKeyEvent.Key, fixture.EventId), (read?.TaskKey, read?.EventId));
    }

    [Fact]
    public async Task The_HTTP_events_and_task_replies_hold_the_key_raw()
    {
        var key = Uri.EscapeDataString(UnicodeKeyEvent.Key);

        foreach (var path in new[] { "/api/events?key=" + key, $"/api/events/{fixture.EventId}", "/api/tasks/" + key })
        {
            using var response = await fixture.Node.Http.GetAsync(path);
            var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
            Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
            AssertRaw(body, KeyProperty);
        }
        var page = await fixture.Node.GetJsonAsync("/api/events?key=" + key);
        var e = Assert.Single(page.GetProperty("events").EnumerateArray());
        Assert.Equal((UnicodeKeyEvent.Key, fixture.EventId), (e.GetProperty("key").GetString(), e.GetProperty("event_id").GetGuid()));
    }

    [Fact]
    public void The_command_replies_hold_the_key_raw()
    {
        AssertRaw(Encoding.UTF8.GetString(fixture.RegisterReply), KeyProperty);
        AssertRaw(Encoding.UTF8.GetString(fixture.GetReply), KeyProperty);
        using var get = JsonDocument.Parse(fixture.GetReply);
        Assert.Equal((UnicodeKeyEvent.Key, "FINISHED"), (get.RootElement.GetProperty("key").GetString(), get.RootElement.GetProperty("state").GetString()));
    }

    /// <summary>
    /// <paramref name="expected"/> is in <paramref name="json"/> as written, and nothing is <c>\u</c>-escaped (the
    /// Cyrillic would be, under the default encoder).
    /// </summary>
    private static void AssertRaw(string json, string expected)
    {
        Assert.Contains(expected, json);
        Assert.DoesNotContain("\\u", json);
    }
}
