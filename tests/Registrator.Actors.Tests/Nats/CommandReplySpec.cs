using System.Text.Json;
using Registrator.Actors.Nats;
using Registrator.Actors.Tests.Json;
using Registrator.Contracts;
using Xunit;
using static Registrator.Contracts.TaskEvents;
using static Registrator.Contracts.TaskReplies;

namespace Registrator.Actors.Tests.Nats;

/// <summary>The <c>registrator.commands</c> reply, written and read back as a client would.</summary>
public sealed class CommandReplySpec
{
    private static JsonElement Read(byte[] reply, out string text)
    {
        text = System.Text.Encoding.UTF8.GetString(reply);
        using var document = JsonDocument.Parse(reply);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Every_answer_names_its_key_raw_UTF8()
    {
        var id = Guid.NewGuid();
        object[] answers =
        [
            new Accepted(WireKey.Key, TaskState.Pending),
            new Rejected(WireKey.Key, TaskState.Finished, "не в \"том\" состоянии"),
            new MostCommon(WireKey.Key, null),
            new EventRegistered(WireKey.Key, id, "/tmp/в.mp4", null, 1732521234.5, null),
            new RegistrationFailed(WireKey.Key, "диск"),
        ];

        foreach (var answer in answers)
        {
            var reply = Read(CommandReply.From(answer), out var text);
            Assert.Contains("\"key\":" + WireKey.Json, text);
            Assert.DoesNotContain("\\u", text);
            Assert.Equal(WireKey.Key, reply.GetProperty("key").GetString());
        }
    }

    [Fact]
    public void A_registration_reply_reads_back_its_event()
    {
        var id = Guid.NewGuid();

        var reply = Read(CommandReply.From(new EventRegistered(WireKey.Key, id, "/tmp/медиа/в.mp4", null, 1732521234.5, "ошибка")), out _);

        Assert.True(reply.GetProperty("ok").GetBoolean());
        Assert.Equal(id, reply.GetProperty("event_id").GetGuid());
        Assert.Equal("/tmp/медиа/в.mp4", reply.GetProperty("video_proofs").GetString());
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("image_proof_path").ValueKind);
        Assert.Equal(1732521234.5, reply.GetProperty("timestamp").GetDouble());
        Assert.Equal("ошибка", reply.GetProperty("error").GetString());
    }

    [Fact]
    public void A_rejection_and_an_error_read_back_not_ok_with_their_reason()
    {
        var rejected = Read(CommandReply.From(new Rejected(WireKey.Key, TaskState.Finished, "не \"так\"")), out _);
        var error = Read(CommandReply.Error("ключ \\ неизвестен", WireKey.Key), out var text);

        Assert.Equal((false, "FINISHED", "не \"так\""), (rejected.GetProperty("ok").GetBoolean(), rejected.GetProperty("state").GetString(), rejected.GetProperty("error").GetString()));
        Assert.Equal((false, "ключ \\ неизвестен"), (error.GetProperty("ok").GetBoolean(), error.GetProperty("error").GetString()));
        Assert.Contains("ключ \\\\ неизвестен", text);
    }
}
