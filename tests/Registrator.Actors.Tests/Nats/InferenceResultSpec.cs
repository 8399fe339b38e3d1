using Registrator.Actors.Configuration;
using Registrator.Actors.Nats;
using Xunit;

namespace Registrator.Actors.Tests.Nats;

/// <summary>The result → status rule on its own, without an actor system.</summary>
public sealed class InferenceResultSpec
{
    private static readonly NatsSettings Settings = RegistratorSettings.Defaults.Nats with { MaxPayload = 256 };

    private static Parsed<Registrator.Contracts.TaskCommands.AddStatus> Parse(string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        return InferenceResult.ToAddStatus(bytes.Length > Settings.MaxPayload ? new Payload(null, bytes.Length) : new Payload(bytes, bytes.Length), Settings);
    }

    [Theory]
    [InlineData("""{"key":"c","model":"yolo","result":{"boxes":[[1,2,3,4]],"scores":[0.95],"class_ids":[0]},"frame_id":"frame_001"}""", true)]
    [InlineData("""{"key":"c","result":{"boxes":[[1,2,3,4],[5,6,7,8]],"scores":[0.3,0.5],"class_ids":[0,1]}}""", true)]
    [InlineData("""{"key":"c","result":{"boxes":[[1,2,3,4]],"scores":[0.4999],"class_ids":[0]}}""", false)]
    [InlineData("""{"key":"c","result":{"boxes":[],"scores":[],"class_ids":[]}}""", false)]
    [InlineData("""{"key":"c","result":{}}""", false)]
    [InlineData("""{"key":"c","detected":true,"result":{"scores":[0.1]}}""", true)]
    [InlineData("""{"key":"c","detected":false,"result":{"scores":[0.9]}}""", false)]
    [InlineData("""{"key":"c","detected":true}""", true)]
    public void The_flag_is_detected_if_present_else_any_score_at_least_min_score(string json, bool expected)
    {
        var parsed = Parse(json);

        Assert.True(parsed.IsValid, parsed.Error?.Detail);
        Assert.Equal("c", parsed.Value!.TaskKey);
        Assert.Equal(expected, parsed.Value.Flag);
        Assert.Equal(json, parsed.Value.MessageJson);
    }

    [Theory]
    [InlineData("{", BadInputReason.InvalidJson)]
    [InlineData("null", BadInputReason.NotAnObject)]
    [InlineData("""{"detected":true}""", BadInputReason.MissingKey)]
    [InlineData("""{"key":null,"detected":true}""", BadInputReason.MissingKey)]
    [InlineData("""{"key":"c","detected":1}""", BadInputReason.InvalidResult)]
    [InlineData("""{"key":"c","result":{"scores":0.9}}""", BadInputReason.InvalidResult)]
    [InlineData("""{"key":"c","result":[]}""", BadInputReason.InvalidResult)]
    public void Bad_results_say_why(string json, BadInputReason reason)
    {
        Assert.Equal(reason, Parse(json).Error?.Reason);
    }

    [Fact]
    public void A_result_over_max_payload_is_too_large_and_never_parsed()
    {
        Assert.Equal(BadInputReason.PayloadTooLarge, Parse($$"""{"key":"c","pad":"{{new string('x', 300)}}"}""").Error?.Reason);
    }
}
