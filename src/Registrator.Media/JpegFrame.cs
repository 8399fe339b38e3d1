using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Registrator.Media;

/// <summary>Decodes a JPEG frame (as a camera or the NATS bridge received it) to tightly packed BGR24, through OpenCV.</summary>
public static class JpegFrame
{
    /// <summary>
    /// The BGR24 pixels of <paramref name="jpeg"/>, which must be a colour JPEG of <paramref name="width"/> ×
    /// <paramref name="height"/>; <see cref="MediaException"/> when it does not decode or has another size.
    /// </summary>
    public static byte[] Decode(byte[] jpeg, int width, int height)
    {
        FrameSize.Validate(width, height);
        var pixels = new byte[FrameSize.ByteCount(width, height)];
        DecodeInto(jpeg, width, height, pixels);
        return pixels;
    }

    /// <summary>
    /// As <see cref="Decode"/>, into <paramref name="pixels"/> (exactly <c>width × height × 3</c> bytes): an encoder
    /// that decodes frame after frame reuses one buffer instead of leaving 0.9 MB of garbage per 640×480 frame.
    /// </summary>
    public static void DecodeInto(byte[] jpeg, int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        ArgumentNullException.ThrowIfNull(pixels);
        FrameSize.Validate(width, height);
        if (pixels.Length != FrameSize.ByteCount(width, height))
            throw new ArgumentException($"{pixels.Length} bytes cannot hold a {width}x{height} BGR24 frame", nameof(pixels));
        try
        {
            using var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
            if (image.Empty() || image.Type() != MatType.CV_8UC3)
                throw new MediaException($"a {jpeg.Length}-byte JPEG does not decode to a colour image");
            if (image.Width != width || image.Height != height)
                throw new MediaException($"JPEG decodes to {image.Width}x{image.Height}, not the {width}x{height} its frame says");
            // OpenCV may pad rows of a non-continuous matrix; the encoder wants them packed.
            using var packed = image.IsContinuous() ? null : image.Clone();
            var source = packed ?? image;
            Marshal.Copy(source.Data, pixels, 0, pixels.Length);
        }
        catch (Exception ex) when (ex is OpenCVException or OpenCvSharpException)
        {
            throw new MediaException($"JPEG does not decode: {ex.Message}", ex);
        }
    }
}
