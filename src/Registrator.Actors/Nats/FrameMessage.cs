using System.Globalization;
using NATS.Client.Core;
using Registrator.Actors.Configuration;
using Registrator.Contracts;
using Registrator.Media;
using static Registrator.Contracts.TaskCommands;

namespace Registrator.Actors.Nats;

/// <summary>
/// Reads one message of <c>registrator.frames</c> into the <see cref="AddFrame"/> the <see cref="NatsBridge"/> sends its
/// task: task key in header <c>Task-Key</c>; payload JPEG (<c>Content-Type: image/jpeg</c>, forwarded as JPEG and decoded
/// by the encoder on the task's node, so it crosses nodes at its own size) or raw BGR24 (<c>Content-Type:
/// application/x-bgr24</c> with <c>Frame-Width</c> and <c>Frame-Height</c>); optional <c>Frame-Id</c> and
/// <c>Frame-Time</c> (capture time, see <see cref="TryCaptureTime"/>).
/// </summary>
public static class FrameMessage
{
    public static Parsed<AddFrame> ToAddFrame(NatsHeaders? headers, Payload payload, NatsSettings settings)
    {
        if (Header(headers, NatsHeaderNames.TaskKey) is not { Length: > 0 } key)
            return new BadInput(BadInputReason.MissingKey, $"no '{NatsHeaderNames.TaskKey}' header");
        if (payload.TooLarge)
            return new BadInput(BadInputReason.PayloadTooLarge, $"[{key}] {payload.Length} bytes, more than max-frame-payload ({settings.MaxFramePayload} bytes)");
        // Checked before the payload: a bad time drops the frame without decoding it.
        var frameTime = Header(headers, NatsHeaderNames.FrameTime);
        if (!TryCaptureTime(frameTime, out var captureTime))
            return new BadInput(BadInputReason.InvalidFrameTime,
                $"[{key}] '{NatsHeaderNames.FrameTime}' must be Unix seconds as a finite positive decimal number (e.g. 1796000000.100), got '{Shorten(frameTime)}'");
        var bytes = payload.Bytes ?? [];
        var frameId = Header(headers, NatsHeaderNames.FrameId) is { Length: > 0 } id ? id : null;
        var contentType = Header(headers, NatsHeaderNames.ContentType)?.Split(';')[0].Trim().ToLowerInvariant();
        return contentType switch
        {
            NatsHeaderNames.Jpeg => ForwardJpeg(key, bytes, frameId, captureTime, settings.MaxFramePayload),
            NatsHeaderNames.Bgr24 => Raw(key, bytes, frameId, captureTime, headers),
            _ => new BadInput(BadInputReason.UnsupportedContentType,
                $"[{key}] Content-Type '{contentType}' is neither {NatsHeaderNames.Jpeg} nor {NatsHeaderNames.Bgr24}"),
        };
    }

    /// <summary>
    /// Reads a <c>Frame-Time</c> value: Unix seconds as a plain decimal number in the invariant culture (<c>1796000000.100</c>,
    /// <c>1796000000</c>, surrounding spaces allowed; no sign, exponent, digit grouping, <c>NaN</c> or infinity), finite and
    /// greater than zero. A missing or empty (all-space) value is valid and gives <c>null</c>: no capture time.
    /// </summary>
    /// <returns>False when the value is present but not such a number.</returns>
    public static bool TryCaptureTime(string? value, out double? captureTime)
    {
        captureTime = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        const NumberStyles plainDecimal = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowDecimalPoint;
        // Digits beyond double's range parse as infinity, which is rejected with NaN and the non-positive values.
        if (!double.TryParse(value, plainDecimal, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds <= 0)
            return false;
        captureTime = seconds;
        return true;
    }

    private static Parsed<AddFrame> Raw(string key, byte[] bytes, string? frameId, double? captureTime, NatsHeaders? headers)
    {
        if (!TryDimension(headers, NatsHeaderNames.FrameWidth, out var width) || !TryDimension(headers, NatsHeaderNames.FrameHeight, out var height))
            return new BadInput(BadInputReason.InvalidFrameSize,
                $"[{key}] raw frames need positive integer '{NatsHeaderNames.FrameWidth}' and '{NatsHeaderNames.FrameHeight}' headers");
        var expected = 3L * width * height;
        if (bytes.LongLength != expected)
            return new BadInput(BadInputReason.FrameSizeMismatch, $"[{key}] {width}x{height} BGR24 is {expected} bytes, got {bytes.LongLength}");
        return new AddFrame(key, width, height, bytes, frameId, captureTime);
    }

    /// <summary>
    /// A JPEG frame stays a JPEG: it crosses to the task's node in the form it arrived in (tens of kB, not 0.9 MB of
    /// BGR) and the encoder there decodes it. Here only its frame header (size) and its end marker are checked, so a
    /// frame that is not a whole JPEG is bad input at once; a JPEG whose data does not decode is counted as a frame the
    /// encoder could not take.
    /// </summary>
    private static Parsed<AddFrame> ForwardJpeg(string key, byte[] jpeg, string? frameId, double? captureTime, int maxBytes)
    {
        if (!JpegSize.TryRead(jpeg, out var width, out var height))
            return new BadInput(BadInputReason.UndecodableImage, $"[{key}] not a JPEG (no frame header)");
        if (3L * width * height > maxBytes)
            return new BadInput(BadInputReason.PayloadTooLarge, $"[{key}] JPEG of {width}x{height} decodes to more than max-frame-payload ({maxBytes} bytes)");
        if (!EndsWithEndOfImage(jpeg))
            return new BadInput(BadInputReason.UndecodableImage, $"[{key}] JPEG is cut short (no end-of-image marker)");
        return new AddFrame(key, width, height, jpeg, frameId, captureTime, FrameFormat.Jpeg);
    }

    /// <summary>The EOI marker (FF D9) ends the data, allowing for the zero padding some encoders append.</summary>
    private static bool EndsWithEndOfImage(byte[] jpeg)
    {
        var end = jpeg.Length;
        while (end > 2 && jpeg[end - 1] == 0) end--;
        return end >= 4 && jpeg[end - 2] == 0xFF && jpeg[end - 1] == 0xD9;
    }

    private static bool TryDimension(NatsHeaders? headers, string name, out int value) =>
        int.TryParse(Header(headers, name), NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out value) && value > 0;

    /// <summary>A header value for a log line: at most 64 characters.</summary>
    private static string? Shorten(string? value) => value is { Length: > 64 } ? value[..61] + "..." : value;

    /// <summary>The header's last value, as the client parsed it (already without surrounding spaces).</summary>
    private static string? Header(NatsHeaders? headers, string name) =>
        headers is not null && headers.TryGetLastValue(name, out var value) ? value : null;
}
