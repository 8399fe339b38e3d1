namespace Registrator.Node.Tests.Http.Events;

/// <summary><c>GET /api/keys</c>: the task keys the page's filter offers, read from the events in Redis.</summary>
[Collection(RegisteredEvents.Collection)]
public sealed class KnownKeysSpec(RegisteredEvents events)
{
    [Fact]
    public async Task Every_key_with_events_is_listed_once_with_its_count_and_newest_timestamp()
    {
        var body = await events.Node.GetJsonAsync("/api/keys");

        var keys = body.GetProperty("keys").EnumerateArray()
            .Select(k => (k.GetProperty("key").GetString()!, k.GetProperty("events").GetInt32(), k.GetProperty("latest").GetDouble()))
            .ToArray();
        var expected = new[] { (events.KeyA, 2, events.A2.Timestamp), (events.KeyB, 1, events.B1.Timestamp) }
            .OrderBy(k => k.Item1, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.Select(k => (k.Item1, k.Item2)), keys.Select(k => (k.Item1, k.Item2)));
        foreach (var (expectedKey, actual) in expected.Zip(keys)) Assert.Equal(expectedKey.Item3, actual.Item3, 3);
    }
}
