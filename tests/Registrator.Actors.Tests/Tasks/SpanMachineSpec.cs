using Registrator.Actors.Configuration;
using Registrator.Actors.Tasks;
using Xunit;

namespace Registrator.Actors.Tests.Tasks;

/// <summary>The <c>span</c> policy's state machine alone: capture times in, incidents opened, extended, closed and split.</summary>
public sealed class SpanMachineSpec
{
    private static readonly DateTimeOffset Wall = DateTimeOffset.FromUnixTimeSeconds(1_796_000_000);

    private static readonly TriggerSettings Settings = RegistratorSettings.Defaults.Task.Trigger with
    {
        Policy = TriggerPolicy.Span, WindowSize = 10, Ratio = 0.3,
        PreRoll = TimeSpan.FromSeconds(2), PostRoll = TimeSpan.FromSeconds(1), MaxDuration = TimeSpan.FromSeconds(4),
    };

    /// <summary>One status at capture time <paramref name="t"/>: the clock moves there first, then the status counts.</summary>
    private static (SpanState State, List<SpanTransition> Transitions) Feed(SpanState s, double t, bool detected)
    {
        var transitions = new List<SpanTransition>();
        (s, var advanced) = SpanMachine.Advance(s, t, Wall, Settings);
        transitions.Add(advanced);
        (s, var status) = SpanMachine.Status(s, detected, t, Settings);
        transitions.Add(status);
        return (s, transitions.Where(x => x is not SpanTransition.Nothing).ToList());
    }

    /// <summary>Statuses every 0.1 s from <paramref name="from"/> to before <paramref name="to"/>, all detections or none.</summary>
    private static (SpanState, List<SpanTransition>) Run(SpanState s, int from, int to, Func<int, bool> detected)
    {
        var all = new List<SpanTransition>();
        for (var k = from; k < to; k++)
        {
            (s, var transitions) = Feed(s, k / 10.0, detected(k));
            all.AddRange(transitions);
        }
        return (s, all);
    }

    [Fact]
    public void An_incident_opens_at_the_end_of_the_first_window_that_holds_and_starts_at_its_first_detection()
    {
        // Windows of 10 statuses: 0..9 has 3 detections (not more than 30%), 10..19 has 4 (from 1.3 s on).
        var (s, transitions) = Run(SpanState.Idle, 0, 19, k => k is 2 or 5 or 8 || k >= 13 && k <= 16);
        Assert.Empty(transitions);
        Assert.Null(s.Open);

        (s, transitions) = Feed(s, 1.9, false);

        var opened = Assert.IsType<SpanTransition.Opened>(Assert.Single(transitions));
        Assert.Equal((1.3, 1.6), (opened.Incident.Start, opened.Incident.LastDetection));
        Assert.Same(opened.Incident, s.Open);
        Assert.Equal((0, 0, (double?)null), (s.WindowSeen, s.WindowDetections, s.WindowFirstDetection));
    }

    [Fact]
    public void Each_window_counts_on_its_own_so_a_long_quiet_past_does_not_dilute_an_incident()
    {
        var (s, transitions) = Run(SpanState.Idle, 0, 1000, _ => false); // 100 s without a detection
        Assert.Empty(transitions);

        (s, transitions) = Run(s, 1000, 1010, k => k >= 1006); // 4 of 10

        Assert.Equal(100.6, Assert.IsType<SpanTransition.Opened>(Assert.Single(transitions)).Incident.Start, 9);
    }

    [Fact]
    public void Detections_keep_it_open_and_it_closes_post_roll_after_the_last_one()
    {
        var (s, _) = Run(SpanState.Idle, 0, 10, _ => true);
        var id = s.Open!.EventId;
        (s, var transitions) = Run(s, 10, 30, k => k < 25); // detections until 2.4 s
        Assert.Empty(transitions);
        Assert.Equal(2.4, s.Open!.LastDetection, 9);

        (s, transitions) = Run(s, 30, 34, _ => false); // 3.3 s: less than 2.4 + 1
        Assert.Empty(transitions);
        (s, transitions) = Run(s, 34, 36, _ => false);

        var closed = Assert.IsType<SpanTransition.Closed>(Assert.Single(transitions));
        Assert.Equal(id, closed.Incident.EventId);
        Assert.Equal((0.0, 3.4), (closed.Incident.Start, Math.Round(closed.Incident.End!.Value, 9)));
        Assert.Null(closed.Next);
        Assert.Null(s.Open);
    }

    [Fact]
    public void An_incident_still_active_at_max_duration_continues_as_a_new_one_from_the_cut()
    {
        var (s, transitions) = Run(SpanState.Idle, 0, 130, k => k < 110); // detections for 11 s, max-duration 4 s

        var incidents = transitions.OfType<SpanTransition.Closed>().ToList();
        Assert.Equal(3, incidents.Count);
        Assert.Equal(new[] { (0.0, 4.0), (4.0, 8.0), (8.0, 11.9) },
            incidents.Select(c => (Math.Round(c.Incident.Start, 9), Math.Round(c.Incident.End!.Value, 9))).ToArray());
        Assert.Equal([0, 1, 2], incidents.Select(c => c.Incident.Part));
        Assert.Equal(incidents[0].Next!.EventId, incidents[1].Incident.EventId);
        Assert.Null(incidents[2].Next);
        Assert.Equal(3, incidents.Select(c => c.Incident.EventId).Distinct().Count());
    }

    [Fact]
    public void A_cut_at_max_duration_after_the_detections_ended_does_not_continue()
    {
        // The last detection at 3.5 s, max-duration 4 s, post-roll 1 s: the incident is cut at 4.0 but would have ended at 4.5.
        var (s, _) = Run(SpanState.Idle, 0, 36, _ => true);
        (s, var transitions) = SpanMachine.Advance(s, 4.7, Wall, Settings); // noticed only after 4.5: nothing is active any more

        var closed = Assert.IsType<SpanTransition.Closed>(transitions);
        Assert.Equal(4.0, closed.Incident.End);
        Assert.Null(closed.Next);
        Assert.Null(s.Open);
    }

    [Fact]
    public void With_nothing_arriving_capture_time_goes_on_at_wall_clock_speed()
    {
        var (s, _) = Run(SpanState.Idle, 0, 10, _ => true); // last detection 0.9 s, seen at Wall

        Assert.Equal(1.4, s.NowAt(Wall + TimeSpan.FromSeconds(0.5)), 9);
        var (_, early) = SpanMachine.Advance(s, s.NowAt(Wall + TimeSpan.FromSeconds(0.9)), Wall + TimeSpan.FromSeconds(0.9), Settings);
        var (after, late) = SpanMachine.Advance(s, s.NowAt(Wall + TimeSpan.FromSeconds(1.1)), Wall + TimeSpan.FromSeconds(1.1), Settings);

        Assert.IsType<SpanTransition.Nothing>(early);
        Assert.Equal(1.9, Assert.IsType<SpanTransition.Closed>(late).Incident.End!.Value, 9);
        Assert.Null(after.Open);
    }

    [Fact]
    public void Time_never_goes_back_and_an_older_detection_does_not_move_the_last_one()
    {
        var (s, _) = Run(SpanState.Idle, 0, 10, _ => true);

        (s, _) = Feed(s, 0.5, true);
        (s, var transitions) = SpanMachine.Advance(s, 0.2, Wall, Settings);

        Assert.Equal(0.9, s.Open!.LastDetection, 9);
        Assert.Equal(0.9, s.Newest!.Value, 9);
        Assert.IsType<SpanTransition.Nothing>(transitions);
        Assert.Equal(-2.0, SpanMachine.KeepFrom(s, 5.0, Settings), 9); // pre-roll before the open incident's start
        Assert.Equal(3.0, SpanMachine.KeepFrom(SpanState.Idle, 5.0, Settings), 9);
    }
}
