namespace Registrator.Contracts;

/// <summary>How <see cref="TaskCommands.AddFrame.Pixels"/> holds the frame.</summary>
public enum FrameFormat : byte
{
    /// <summary>Raw BGR24: exactly <c>Width × Height × 3</c> bytes, row-major, no padding.</summary>
    Bgr24 = 0,

    /// <summary>
    /// A JPEG of <c>Width × Height</c>, as a camera or the NATS bridge received it: it crosses nodes in that form
    /// (tens of kB rather than 0.9 MB of BGR) and is decoded by the encoder on the task's node.
    /// </summary>
    Jpeg = 1,
}
