using Registrator.Actors.EventStore.Retention;


namespace Registrator.Integration.Tests.EventStore.Retention;

/// <summary>Which files of a node's output folder are orphans (OrphanSweep), without Redis or a disk.</summary>
public sealed class OrphanSweepSpec
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private static readonly DateTime Old = Now - TimeSpan.FromHours(2);
    private static readonly DateTime Fresh = Now - TimeSpan.FromMinutes(5);

    private static MediaFile File(Guid id, string name, DateTime written) =>
        new(id.ToString("D"), name, $"/media/{id:D}/{name}", written);

    private static MediaFile[] EventFiles(Guid id, DateTime written) =>
        [File(id, $"{id:D}.mp4", written), File(id, $"{id:D}.jpg", written)];

    [Fact]
    public void Files_of_an_event_no_record_names_older_than_the_grace_period_are_orphans()
    {
        var gone = Guid.NewGuid();

        var orphans = OrphanSweep.Select(EventFiles(gone, Old), new HashSet<Guid>(), Now, Grace);

        Assert.Equal([$"{gone:D}.mp4", $"{gone:D}.jpg"], orphans.Select(o => o.Name));
    }

    [Fact]
    public void Files_written_within_the_grace_period_are_never_orphans_a_registration_writes_them_before_its_record()
    {
        var inFlight = Guid.NewGuid();
        MediaFile[] files = [.. EventFiles(inFlight, Fresh), File(inFlight, $".{inFlight:D}.mp4.tmp", Now)];

        Assert.Empty(OrphanSweep.Select(files, new HashSet<Guid>(), Now, Grace));
    }

    [Fact]
    public void Files_of_an_event_Redis_still_names_are_kept_however_old()
    {
        var kept = Guid.NewGuid();

        Assert.Empty(OrphanSweep.Select(EventFiles(kept, Old), new HashSet<Guid> { kept }, Now, Grace));
    }

    [Fact]
    public void Temporaries_a_crash_left_are_orphans_too()
    {
        var crashed = Guid.NewGuid();
        MediaFile[] files = [File(crashed, $".{crashed:D}.mp4.tmp", Old), File(crashed, $".{crashed:D}.jpg.tmp", Old)];

        Assert.Equal(2, OrphanSweep.Select(files, new HashSet<Guid>(), Now, Grace).Count);
    }

    [Fact]
    public void Nothing_but_the_encoders_layout_is_touched_in_a_folder_that_may_be_tmp()
    {
        var id = Guid.NewGuid();
        var other = Guid.NewGuid();
        MediaFile[] files =
        [
            File(id, "notes.txt", Old),
            File(id, $"{other:D}.mp4", Old),
            new("not-a-uuid", "not-a-uuid.mp4", "/media/not-a-uuid/not-a-uuid.mp4", Old),
            new("outbox", "events.jsonl", "/media/outbox/events.jsonl", Old),
        ];

        Assert.Empty(OrphanSweep.Select(files, new HashSet<Guid>(), Now, Grace));
    }
}
