using Registrator.Actors.EventStore.Retention;


namespace Registrator.Integration.Tests.EventStore.Retention;

/// <summary>Which node removes an expired event and deletes its files (RetentionPolicy), without Redis or actors.</summary>
public sealed class RetentionPolicySpec
{
    private const double Now = 1_800_000_000;
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private static readonly double EightDaysAgo = Now - TimeSpan.FromDays(8).TotalSeconds;

    private static readonly Dictionary<string, double> Heartbeats = new()
    {
        ["alive"] = Now - 30,
        ["down-an-hour"] = Now - 3600,
        ["down-two-days"] = Now - TimeSpan.FromDays(2).TotalSeconds,
    };

    [Fact]
    public void A_node_removes_its_own_expired_event_and_deletes_its_files() =>
        Assert.Equal(RetentionAction.RemoveAndDelete, RetentionPolicy.Decide("me", EightDaysAgo, "me", Heartbeats, Now, Day));

    [Fact]
    public void An_expired_event_naming_no_node_is_removed_by_whoever_expires_it_and_its_files_deleted_where_they_are() =>
        Assert.Equal(RetentionAction.RemoveAndDelete, RetentionPolicy.Decide(null, EightDaysAgo, "me", Heartbeats, Now, Day));

    [Theory]
    [InlineData("alive")]
    [InlineData("down-an-hour")]
    public void An_expired_event_of_another_node_heard_of_within_abandon_after_is_left_to_it(string holder) =>
        Assert.Equal(RetentionAction.Keep, RetentionPolicy.Decide(holder, EightDaysAgo, "me", Heartbeats, Now, Day));

    [Fact]
    public void An_expired_event_of_a_node_silent_for_longer_than_abandon_after_is_removed_without_touching_files() =>
        Assert.Equal(RetentionAction.RemoveAbandoned, RetentionPolicy.Decide("down-two-days", EightDaysAgo, "me", Heartbeats, Now, Day));

    [Fact]
    public void A_node_name_not_in_the_registry_is_aged_by_its_event_so_a_node_just_started_is_not_taken_for_gone()
    {
        // A count-limited event an hour old, from a node that has not written its first heartbeat yet (or was forgotten).
        Assert.Equal(RetentionAction.Keep, RetentionPolicy.Decide("new-node", Now - 3600, "me", Heartbeats, Now, Day));
        // A renamed or decommissioned node: the name never heartbeats again, its old events go.
        Assert.Equal(RetentionAction.RemoveAbandoned, RetentionPolicy.Decide("old-name", EightDaysAgo, "me", Heartbeats, Now, Day));
    }

    [Fact]
    public void A_newer_event_than_the_last_heartbeat_counts_as_the_node_being_alive() =>
        Assert.False(RetentionPolicy.IsGone("down-two-days", Now - 60, Heartbeats, Now, Day));

    [Fact]
    public void With_abandon_after_zero_a_node_is_never_gone()
    {
        Assert.Equal(RetentionAction.Keep, RetentionPolicy.Decide("down-two-days", EightDaysAgo, "me", Heartbeats, Now, TimeSpan.Zero));
        Assert.Empty(RetentionPolicy.StaleHeartbeats(Heartbeats, Now, TimeSpan.Zero));
    }

    [Fact]
    public void A_node_without_a_name_still_removes_events_naming_no_node_and_leaves_named_ones_to_their_nodes()
    {
        Assert.Equal(RetentionAction.RemoveAndDelete, RetentionPolicy.Decide(null, EightDaysAgo, null, Heartbeats, Now, Day));
        Assert.Equal(RetentionAction.Keep, RetentionPolicy.Decide("alive", EightDaysAgo, null, Heartbeats, Now, Day));
    }

    [Fact]
    public void Only_heartbeats_silent_for_longer_than_abandon_after_are_forgotten() =>
        Assert.Equal(["down-two-days"], RetentionPolicy.StaleHeartbeats(Heartbeats, Now, Day));
}
