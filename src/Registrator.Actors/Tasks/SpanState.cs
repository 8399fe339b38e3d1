namespace Registrator.Actors.Tasks;

/// <summary>
/// The <c>span</c> policy's part of a task's value: the open incident, the window being counted (statuses and
/// detections; the window rule opens an incident at the first detection of the window in which it holds), and the
/// task's capture clock (the newest capture time seen, and when, so a quiet stream's incident still closes on time).
/// Unlike <c>window</c>'s count since the last event, each window counts on its own: a camera idle for hours would
/// otherwise need 30% of those hours' statuses to be detections before any incident could open.
/// </summary>
public sealed record SpanState
{
    public static readonly SpanState Idle = new();

    public Incident? Open { get; init; }
    /// <summary>Statuses of the window being counted (while no incident is open).</summary>
    public int WindowSeen { get; init; }
    public int WindowDetections { get; init; }
    public double? WindowFirstDetection { get; init; }
    public double? WindowLastDetection { get; init; }
    /// <summary>The newest capture time seen (a status's or a frame's), Unix seconds; <c>null</c> before any.</summary>
    public double? Newest { get; init; }
    /// <summary>When <see cref="Newest"/> was seen (wall clock): capture time goes on at wall-clock speed while nothing arrives.</summary>
    public DateTimeOffset NewestSeenAt { get; init; }

    /// <summary>The capture time now: the newest seen, moved on by the wall-clock time since, when nothing newer came.</summary>
    public double NowAt(DateTimeOffset now) =>
        Newest is { } newest ? newest + Math.Max(0, (now - NewestSeenAt).TotalSeconds) : now.ToUnixTimeMilliseconds() / 1000.0;
}
