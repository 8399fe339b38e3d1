namespace Registrator.Media;

/// <summary>Chooses which buffered frame becomes an event's JPEG keyframe.</summary>
public static class KeyframeSelector
{
    /// <summary>
    /// The index of the frame whose <see cref="BgrFrame.FrameId"/> equals <paramref name="keyframeId"/>
    /// (ordinal comparison), else of the newest (last) frame. When several frames carry the id, the
    /// newest of them wins: a producer that restarts its counter reuses ids, and the latest detection is
    /// the one the event reports.
    /// </summary>
    public static int Select(IReadOnlyList<BgrFrame> frames, string? keyframeId)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("no frames to choose a keyframe from", nameof(frames));
        }

        if (keyframeId is not null)
        {
            for (var i = frames.Count - 1; i >= 0; i--)
            {
                if (string.Equals(frames[i].FrameId, keyframeId, StringComparison.Ordinal))
                {
                    return i;
                }
            }
        }

        return frames.Count - 1;
    }
}
