using Registrator.Actors.Configuration;

namespace Registrator.Actors.Tasks;

/// <summary>What one step of the span machine did to the incident.</summary>
public abstract record SpanTransition
{
    public static readonly SpanTransition None = new Nothing();

    public sealed record Nothing : SpanTransition;

    /// <summary>The window rule held: <paramref name="Incident"/> is now open.</summary>
    public sealed record Opened(Incident Incident) : SpanTransition;

    /// <summary><paramref name="Incident"/> closed (its <see cref="Incident.End"/> set); <paramref name="Next"/>, when it was cut at max-duration while still active, is open now.</summary>
    public sealed record Closed(Incident Incident, Incident? Next) : SpanTransition;
}

/// <summary>
/// The <c>span</c> policy as a pure state machine over capture time:
/// <code>
///   idle ──a window of `window` statuses with more than ratio × window detections──► open(start = its first detection)
///   open ──detection at t──► open(last = t)
///   open ──capture time ≥ min(last + post-roll, start + max-duration)──► closed(end)
///                         └─ cut at max-duration and still active (now &lt; last + post-roll) ──► open(start = end)
/// </code>
/// The task feeds it every status (<see cref="Status"/>) and every frame's or timer's capture time
/// (<see cref="Advance"/>); time never goes back (the newest capture time counts).
/// </summary>
public static class SpanMachine
{
    /// <summary>Capture time moved to <paramref name="time"/> (a status, a frame, or <see cref="SpanState.NowAt"/> on a timer): close when due.</summary>
    public static (SpanState State, SpanTransition Transition) Advance(SpanState s, double time, DateTimeOffset now, TriggerSettings settings)
    {
        if (s.Newest is null || time > s.Newest) s = s with { Newest = time, NewestSeenAt = now };
        if (s.Open is not { } open) return (s, SpanTransition.None);
        var current = s.Newest!.Value;
        var quietEnd = open.LastDetection + settings.PostRoll.TotalSeconds;
        var longestEnd = open.Start + settings.MaxDuration.TotalSeconds;
        var end = Math.Min(quietEnd, longestEnd);
        if (current < end) return (s, SpanTransition.None);
        var closed = open with { End = end };
        // Cut at max-duration, and detections are still recent enough that the incident goes on: it continues as a new one.
        Incident? next = longestEnd < quietEnd && current < quietEnd
            ? new Incident(Guid.NewGuid(), end, open.LastDetection) { Part = open.Part + 1 }
            : null;
        return (s with { Open = next, WindowSeen = 0, WindowDetections = 0, WindowFirstDetection = null, WindowLastDetection = null },
            new SpanTransition.Closed(closed, next));
    }

    /// <summary>
    /// A status at capture time <paramref name="time"/>, after <see cref="Advance"/> to that time. An open incident takes
    /// a detection as its newest; an idle task counts it into the window, and at the window's end opens an incident when
    /// its detections are more than ratio × window (and <paramref name="mayOpen"/>: no cooldown, an encoder at hand).
    /// </summary>
    public static (SpanState State, SpanTransition Transition) Status(SpanState s, bool detected, double time, TriggerSettings settings, bool mayOpen = true)
    {
        if (s.Open is { } open)
        {
            return detected && time > open.LastDetection ? (s with { Open = open with { LastDetection = time } }, SpanTransition.None) : (s, SpanTransition.None);
        }
        s = s with { WindowSeen = s.WindowSeen + 1 };
        if (detected)
        {
            s = s with
            {
                WindowDetections = s.WindowDetections + 1,
                WindowFirstDetection = s.WindowFirstDetection is { } first ? Math.Min(first, time) : time,
                WindowLastDetection = s.WindowLastDetection is { } last ? Math.Max(last, time) : time,
            };
        }
        if (s.WindowSeen < settings.WindowSize) return (s, SpanTransition.None);
        var holds = mayOpen && s.WindowDetections > settings.Ratio * s.WindowSeen;
        var next = s with { WindowSeen = 0, WindowDetections = 0, WindowFirstDetection = null, WindowLastDetection = null };
        if (!holds) return (next, SpanTransition.None);
        var incident = new Incident(Guid.NewGuid(), s.WindowFirstDetection ?? time, s.WindowLastDetection ?? time);
        return (next with { Open = incident }, new SpanTransition.Opened(incident));
    }

    /// <summary>
    /// The capture time from which a buffer keeps frames for the pre-roll: of the opening detection when an incident is
    /// open, else of the window's first detection (an incident may open at it), else of now.
    /// </summary>
    public static double KeepFrom(SpanState s, double now, TriggerSettings settings) =>
        (s.Open?.Start ?? s.WindowFirstDetection ?? now) - settings.PreRoll.TotalSeconds;
}
