namespace Registrator.Actors.Tasks;

/// <summary>
/// The documentation's surveillance rule as a value: every <see cref="Window"/> statuses, fire when more than
/// <see cref="Ratio"/> of those statuses were detections (Python: <c>sum(d) &gt; len(d) * 0.3</c>), then count afresh.
/// Immutable: <see cref="Observe"/> returns the next trigger.
/// </summary>
public sealed record WindowTrigger(int Window, double Ratio, int Seen = 0, int Detections = 0)
{
    public (WindowTrigger Next, bool Fire) Observe(bool detected)
    {
        var seen = Seen + 1;
        var detections = Detections + (detected ? 1 : 0);
        if (seen < Window) return (this with { Seen = seen, Detections = detections }, false);
        return (this with { Seen = 0, Detections = 0 }, detections > Ratio * Window);
    }

    /// <summary>Forgets the statuses counted so far (a new cycle, cleared statuses).</summary>
    public WindowTrigger Reset() => this with { Seen = 0, Detections = 0 };
}
