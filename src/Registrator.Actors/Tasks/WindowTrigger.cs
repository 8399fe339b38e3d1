namespace Registrator.Actors.Tasks;

/// <summary>
/// The documentation's surveillance rule as a value: every <see cref="Window"/> statuses, over all statuses since the
/// task's last event, fire when the detections are more than <see cref="Ratio"/> of them (Python:
/// <c>sum(detection_buffer) &gt; len(detection_buffer) * 0.3</c>, checked at every 30th frame, the buffer cleared only
/// when it fires). Immutable: <see cref="Observe"/> returns the next trigger.
/// </summary>
public sealed record WindowTrigger(int Window, double Ratio, int Seen = 0, int Detections = 0)
{
    public (WindowTrigger Next, bool Fire) Observe(bool detected)
    {
        var seen = Seen + 1;
        var detections = Detections + (detected ? 1 : 0);
        var next = this with { Seen = seen, Detections = detections };
        return (next, seen % Window == 0 && detections > Ratio * seen);
    }

    /// <summary>Forgets the statuses counted so far: an event was registered (a new cycle began).</summary>
    public WindowTrigger Reset() => this with { Seen = 0, Detections = 0 };
}
