using System.Diagnostics;

namespace Registrator.Media;

/// <summary>
/// Writes one event's H.264 packets as <c>OutputRoot/&lt;id&gt;/&lt;id&gt;.mp4</c> and its keyframe as
/// <c>OutputRoot/&lt;id&gt;/&lt;id&gt;.jpg</c>, the layout of the Python module's TMP_PATH. The packets were
/// encoded as the frames arrived (<see cref="H264Session"/>), so this only muxes them (no re-encoding)
/// and, when the caller has no raw keyframe, decodes one GOP prefix: milliseconds, not an encode.
/// Blocking: call it from a dedicated thread (the encoder actors' pinned dispatcher). Concurrent calls
/// for different events are independent.
/// </summary>
public static class ClipWriter
{
    /// <summary>
    /// Muxes the clip and writes the keyframe. Each file is written under a hidden temporary name in
    /// the event folder and renamed when complete, so whoever sees a final name can open a whole file.
    /// The clip is MP4 (H.264 as encoded, <see cref="H264Session.EncodedWidth"/> ×
    /// <see cref="H264Session.EncodedHeight"/>, time base 1/fps, moov first for progressive playback)
    /// and follows the packets' pts: the first packet is at 0 and a gap in pts stays a pause. The JPEG
    /// is <see cref="PacketClipRequest.KeyframePixels"/> if given, else the frame at
    /// <see cref="PacketClipRequest.KeyframeIndex"/> decoded from the last keyframe at or before it,
    /// at the original (possibly odd) size. Any failure throws <see cref="MediaException"/> (or
    /// <see cref="OperationCanceledException"/>) and leaves neither temporaries nor a folder this call
    /// created behind. Only FramesPerSecond and JpegQuality of <paramref name="options"/> apply here.
    /// </summary>
    public static ClipFiles Write(PacketClipRequest request, EncoderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Validate(request);
        cancellationToken.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        var id = request.EventId.ToString("D");
        var directory = Path.GetFullPath(Path.Combine(request.OutputRoot, id));
        var videoPath = Path.Combine(directory, id + ".mp4");
        var imagePath = Path.Combine(directory, id + ".jpg");
        var videoTemporary = Path.Combine(directory, $".{id}.mp4.tmp");
        var imageTemporary = Path.Combine(directory, $".{id}.jpg.tmp");

        var createdDirectory = !Directory.Exists(directory);
        var videoPublished = false;
        try
        {
            Directory.CreateDirectory(directory);
            Mp4PacketMuxer.Write(
                videoTemporary, FrameSize.Even(request.Width), FrameSize.Even(request.Height), options.FramesPerSecond,
                request.Packets, cancellationToken);

            cancellationToken.ThrowIfCancellationRequested();
            var keyframe = request.KeyframePixels ?? DecodeKeyframe(request);
            var jpeg = JpegKeyframe.Encode(keyframe, request.Width, request.Height, options.JpegQuality);
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
            request.Packets.Count,
            request.KeyframeIndex,
            Stopwatch.GetElapsedTime(started));
    }

    // The keyframe's GOP prefix: from the last keyframe at or before it, up to and including it.
    private static byte[] DecodeKeyframe(PacketClipRequest request)
    {
        var first = request.KeyframeIndex;
        while (!request.Packets[first].IsKeyframe)
        {
            first--; // terminates: Validate checked that packet 0 is a keyframe
        }

        var prefix = new EncodedPacket[request.KeyframeIndex - first + 1];
        for (var i = 0; i < prefix.Length; i++)
        {
            prefix[i] = request.Packets[first + i];
        }

        return H264Decoder.DecodeLastPicture(prefix, request.Width, request.Height);
    }

    private static void Validate(PacketClipRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.OutputRoot))
        {
            throw new MediaException("OutputRoot must name a folder");
        }

        // Packets first: a task that registers before any frame arrived has no frame size either.
        if (request.Packets is null || request.Packets.Count == 0)
        {
            throw new MediaException("no packets to mux");
        }

        FrameSize.Validate(request.Width, request.Height);

        // All packets up front: a bad last packet must not cost a half-written file first.
        var packets = request.Packets;
        for (var i = 0; i < packets.Count; i++)
        {
            var packet = packets[i] ?? throw new MediaException($"packet {i} is null");
            if (packet.Data is not { Length: > 0 })
            {
                throw new MediaException($"packet {i} (pts {packet.Pts}) has no data");
            }

            if (i > 0 && packet.Pts <= packets[i - 1].Pts)
            {
                throw new MediaException($"packet pts must increase: packet {i} has pts {packet.Pts} after {packets[i - 1].Pts}");
            }
        }

        if (!packets[0].IsKeyframe)
        {
            throw new MediaException("the first packet must be a keyframe (a clip starts on an IDR)");
        }

        if (request.KeyframeIndex < 0 || request.KeyframeIndex >= packets.Count)
        {
            throw new MediaException($"KeyframeIndex must be 0..{packets.Count - 1}, was {request.KeyframeIndex}");
        }

        if (request.KeyframePixels is not null)
        {
            FrameSize.RequireLength(request.KeyframePixels, request.Width, request.Height, "KeyframePixels");
        }

        // Parsed here too (the muxer parses it again) so a keyframe without SPS/PPS fails before any file exists.
        _ = AnnexB.ParameterSets(packets[0].Data);
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
