namespace Registrator.Actors.Metrics;

/// <summary>Why frames left a task without reaching a clip (the <c>reason</c> label of <c>registrator_frames_dropped_total</c>).</summary>
public enum FrameDropReason
{
    /// <summary>The node's <c>max-buffer-bytes</c> pushed a whole GOP out.</summary>
    NodeBudget,
    /// <summary>The task's <c>max-frames</c> pushed a whole GOP out.</summary>
    MaxFrames,
    /// <summary>Closer than 1/fps to the previous kept frame.</summary>
    Rate,
    /// <summary>Captured earlier than the reorder window allows.</summary>
    Late,
}
