using System.Diagnostics;

namespace Registrator.Media;

/// <summary>
/// Writes one event's frames as <c>OutputRoot/&lt;id&gt;/&lt;id&gt;.mp4</c> (H.264, yuv420p) and its keyframe as
/// <c>OutputRoot/&lt;id&gt;/&lt;id&gt;.jpg</c>, the layout of the Python module's TMP_PATH. Blocking and CPU-bound:
/// call it from a dedicated thread (the encoder actors' pinned dispatcher). Concurrent calls for
/// different events are independent.
/// </summary>
public static class ClipWriter
{
    /// <summary>
    /// Encodes the clip and keyframe. Each file is written under a hidden temporary name in the event
    /// folder and renamed when complete, so whoever sees a final name can open a whole file. Any
    /// failure throws <see cref="MediaException"/> (or <see cref="OperationCanceledException"/>) and
    /// leaves neither temporaries nor a folder this call created behind. The clip of an odd-sized
    /// request is padded to even dimensions (see <see cref="Mp4Writer"/>); the JPEG keeps the
    /// original size.
    /// </summary>
    public static ClipFiles Write(ClipRequest request, EncoderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        Validate(request);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        var id = request.EventId.ToString("D");
        var directory = Path.GetFullPath(Path.Combine(request.OutputRoot, id));
        var videoPath = Path.Combine(directory, id + ".mp4");
        var imagePath = Path.Combine(directory, id + ".jpg");
        var videoTemporary = Path.Combine(directory, $".{id}.mp4.tmp");
        var imageTemporary = Path.Combine(directory, $".{id}.jpg.tmp");
        var keyframeIndex = KeyframeSelector.Select(request.Frames, request.KeyframeId);

        var createdDirectory = !Directory.Exists(directory);
        var videoPublished = false;
        try
        {
            Directory.CreateDirectory(directory);
            using (var writer = new Mp4Writer(videoTemporary, request.Width, request.Height, options))
            {
                foreach (var frame in request.Frames)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    writer.Write(frame);
                }

                writer.Finish();
            }

            var jpeg = JpegKeyframe.Encode(request.Frames[keyframeIndex], request.Width, request.Height, options.JpegQuality);
            File.WriteAllBytes(imageTemporary, jpeg);

            // Overwrite: a retried event replaces what an earlier attempt published.
            File.Move(videoTemporary, videoPath, overwrite: true);
            videoPublished = true;
            File.Move(imageTemporary, imagePath, overwrite: true);
        }
        catch (Exception ex)
        {
            TryDelete(videoTemporary);
            TryDelete(imageTemporary);
            // A clip without its keyframe is half an event; the caller sees the failure, not the clip.
            if (videoPublished)
            {
                TryDelete(videoPath);
            }

            if (createdDirectory)
            {
                TryDeleteEmptyDirectory(directory);
            }

            if (ex is MediaException or OperationCanceledException)
            {
                throw;
            }

            throw new MediaException($"writing the clip of event {id} to '{directory}' failed: {ex.Message}", ex);
        }

        return new ClipFiles(
            request.EventId,
            videoPath,
            imagePath,
            request.Frames.Count,
            keyframeIndex,
            Stopwatch.GetElapsedTime(started));
    }

    private static void Validate(ClipRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.OutputRoot))
        {
            throw new MediaException("OutputRoot must name a folder");
        }

        // Frames first: a task that registers before any frame arrived has no frame size either.
        if (request.Frames is null || request.Frames.Count == 0)
        {
            throw new MediaException("no frames to encode");
        }

        FrameSize.Validate(request.Width, request.Height);

        // All frames up front: a bad last frame must not cost a whole encode first.
        for (var i = 0; i < request.Frames.Count; i++)
        {
            var frame = request.Frames[i] ?? throw new MediaException($"frame {i} is null");
            FrameSize.RequireLength(frame, request.Width, request.Height, i);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort while another error is already on its way to the caller.
        }
    }

    private static void TryDeleteEmptyDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }
}
