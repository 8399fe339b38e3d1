using Registrator.Actors.Configuration;
using Registrator.Actors.Nats;
using Xunit;

namespace Registrator.Actors.Tests.Nats;

/// <summary>A key parsed again is the same string; what cannot be cached is read as before.</summary>
public sealed class KeyCacheSpec
{
    private static readonly NatsSettings Settings = RegistratorSettings.Defaults.Nats;

    private static string Key(string json, KeyCache keys)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        return InferenceResult.Parse(new Payload(bytes, bytes.Length), Settings, keys).Value!.Key;
    }

    [Fact]
    public void The_same_key_parsed_twice_is_one_string_and_another_key_is_another()
    {
        var keys = new KeyCache();

        var first = Key("""{"key":"камера-1","detected":true}""", keys);
        var again = Key("""{"key":"камера-1","detected":false}""", keys);
        var other = Key("""{"key":"камера-2","detected":true}""", keys);

        Assert.Equal("камера-1", first);
        Assert.Same(first, again);
        Assert.Equal("камера-2", other);
    }

    [Fact]
    public void An_escaped_or_long_key_is_read_in_full_and_equals_its_plain_spelling()
    {
        var keys = new KeyCache();
        var longKey = new string('k', 300);

        Assert.Equal("cam/1", Key("""{"key":"cam\/1","detected":true}""", keys));
        Assert.Equal("cam/1", Key("""{"key":"cam/1","detected":true}""", keys));
        Assert.Equal(longKey, Key($$"""{"key":"{{longKey}}","detected":true}""", keys));
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_not_cached()
    {
        var keys = new KeyCache();

        Assert.Null(keys.Get([0x63, 0xFF, 0x61]));
        Assert.Equal("ca", keys.Get("ca"u8));
    }

    [Fact]
    public void Past_its_capacity_it_starts_again_and_still_answers_every_key()
    {
        var keys = new KeyCache();
        var first = keys.Get("key-0"u8);
        for (var i = 1; i <= KeyCache.Capacity; i++) keys.Get(System.Text.Encoding.UTF8.GetBytes($"key-{i}"));

        var again = keys.Get("key-0"u8);

        Assert.Equal("key-0", again);
        Assert.NotSame(first, again);
    }
}
