using System.Text.Json;
using Registrator.Actors.Json;
using Xunit;

namespace Registrator.Actors.Tests.Json;

/// <summary>The one escaping policy every wire format writes with.</summary>
public sealed class WireJsonSpec
{
    [Fact]
    public void Non_ASCII_stays_raw_and_only_quotes_backslash_and_control_characters_are_escaped()
    {
        var json = WireJson.WriteObject(json => json.WriteString("key", WireKey.Key));

        Assert.Equal("{\"key\":" + WireKey.Json + "}", json);
        Assert.DoesNotContain("\\u", json);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(WireKey.Key, document.RootElement.GetProperty("key").GetString());
    }

    [Fact]
    public void A_line_break_or_NUL_is_escaped_so_a_JSON_line_stays_one_line()
    {
        var json = WireJson.WriteObject(json => json.WriteString("k", "a\nb\r\0c"));

        Assert.Equal("""{"k":"a\nb\r\u0000c"}""", json);
    }

    [Fact]
    public void The_serializer_options_write_snake_case_with_the_same_encoder()
    {
        var json = JsonSerializer.Serialize(new { TaskKey = WireKey.Key, VideoProofs = (string?)null }, WireJson.SerializerOptions);

        Assert.Equal("{\"task_key\":" + WireKey.Json + ",\"video_proofs\":null}", json);
        Assert.True(WireJson.SerializerOptions.IsReadOnly);
    }
}
