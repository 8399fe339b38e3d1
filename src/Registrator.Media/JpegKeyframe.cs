using OpenCvSharp;

namespace Registrator.Media;

/// <summary>Encodes one BGR24 frame as a JPEG at its original size, through OpenCV.</summary>
public static class JpegKeyframe
{
    /// <summary>
    /// JPEG bytes of <paramref name="bgrPixels"/> (row-major BGR24, no row padding), which must hold
    /// <paramref name="width"/> × <paramref name="height"/> × 3 bytes; <paramref name="quality"/> is
    /// OpenCV's JPEG quality, 0 … 100.
    /// </summary>
    public static unsafe byte[] Encode(byte[] bgrPixels, int width, int height, int quality)
    {
        ArgumentNullException.ThrowIfNull(bgrPixels);
        FrameSize.Validate(width, height);
        FrameSize.RequireLength(bgrPixels, width, height, "keyframe");
        if (quality is < 0 or > 100)
        {
            throw new MediaException($"JPEG quality must be 0..100, was {quality}");
        }

        // The Mat wraps the pinned array instead of copying 0.9 MB per keyframe.
        fixed (byte* pixels = bgrPixels)
        {
            using var image = Mat.FromPixelData(height, width, MatType.CV_8UC3, (IntPtr)pixels, (long)width * 3);
            try
            {
                Cv2.ImEncode(".jpg", image, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
                return jpeg;
            }
            catch (Exception ex) when (ex is OpenCVException or OpenCvSharpException)
            {
                throw new MediaException($"OpenCV could not encode a {width}x{height} JPEG: {ex.Message}", ex);
            }
        }
    }
}
