namespace Registrator.Media;

/// <summary>
/// A clip or keyframe could not be produced: invalid input (sizes, no frames), FFmpeg missing or of the
/// wrong version, an encoder or muxer error, or the output could not be written.
/// </summary>
public sealed class MediaException : Exception
{
    public MediaException()
    {
    }

    public MediaException(string message)
        : base(message)
    {
    }

    public MediaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
