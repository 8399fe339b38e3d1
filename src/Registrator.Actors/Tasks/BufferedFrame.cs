namespace Registrator.Actors.Tasks;

/// <summary>One BGR24 frame held by a task: the pixel array is owned by the buffer, then moved (not copied) to the encoder.</summary>
public sealed record BufferedFrame(byte[] Pixels, string? FrameId);
