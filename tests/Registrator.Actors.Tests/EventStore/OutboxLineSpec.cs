using Registrator.Actors.Events;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Tests.Json;
using Xunit;

namespace Registrator.Actors.Tests.EventStore;

/// <summary>The outbox line and the dead letter that embeds it, written and read back.</summary>
public sealed class OutboxLineSpec : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "outbox-line-" + Guid.NewGuid().ToString("N"));

    private static PendingEvent Pending(bool? mostCommon = true)
    {
        var e = new RegisteredEvent(
            Guid.NewGuid(), WireKey.Key, """{"label":"вход \"1\""}""", "/tmp/v.mp4", null, "ошибка \\ диска", 1732521234.567,
            new TaskStatistics(30, 28, mostCommon, 2));
        return new PendingEvent(e, SortedSetEventSink.SinkName, "events", e.Timestamp, EventMember.Build(e));
    }

    private static bool Known(string sink) => sink == SortedSetEventSink.SinkName;

    [Theory]
    [InlineData(true)]
    [InlineData(null)]
    public void An_added_line_reads_back_as_the_event_it_was_written_from(bool? mostCommon)
    {
        var pending = Pending(mostCommon);
        var line = OutboxLine.Added(pending);

        Assert.Equal((byte)'\n', line[^1]);
        Assert.Single(line, (byte)'\n');
        var added = Assert.IsType<OutboxEntry.Added>(OutboxLine.Parse(line.AsSpan(0, line.Length - 1), Known));
        Assert.Equal(pending, added.Event);
    }

    [Fact]
    public void An_added_line_keeps_the_key_raw_and_the_member_payload_byte_for_byte()
    {
        var pending = Pending();
        var text = System.Text.Encoding.UTF8.GetString(OutboxLine.Added(pending));

        Assert.Contains("\"task_key\":" + WireKey.Json, text);
        Assert.DoesNotContain("\\u", text);
        var added = (OutboxEntry.Added)OutboxLine.Parse(System.Text.Encoding.UTF8.GetBytes(text.TrimEnd('\n')), Known);
        Assert.Equal(pending.Payload, added.Event.Payload);
    }

    [Fact]
    public void A_done_line_reads_back_as_its_event_id()
    {
        var id = Guid.NewGuid();
        var line = OutboxLine.Done(id);

        Assert.Equal(new OutboxEntry.Done(id), OutboxLine.Parse(line.AsSpan(0, line.Length - 1), Known));
    }

    [Fact]
    public void A_dead_letter_reads_back_with_its_event_reason_and_attempts()
    {
        var file = new DeadLetterFile(_folder);
        var letter = new DeadLetter(Pending(), "WRONGTYPE ключ \"events\"", 7, DateTimeOffset.FromUnixTimeSeconds(1732521234));

        file.Append(letter);
        var (letters, problems) = file.ReadAll(Known);

        Assert.Empty(problems);
        Assert.Equal(letter, Assert.Single(letters));
        Assert.Contains("\"task_key\":" + WireKey.Json, File.ReadAllText(file.FilePath, System.Text.Encoding.UTF8));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
