namespace Registrator.Media;

/// <summary>
/// Reads a JPEG's width and height from its frame header (SOFn marker) without decoding it, so a small file that
/// would decode to a huge bitmap is refused before any pixel memory is allocated.
/// </summary>
public static class JpegSize
{
    public static bool TryRead(ReadOnlySpan<byte> jpeg, out int width, out int height)
    {
        width = height = 0;
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return false;
        var i = 2;
        while (i + 4 <= jpeg.Length)
        {
            if (jpeg[i] != 0xFF) return false;
            var marker = jpeg[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte before a marker
                continue;
            }
            i += 2;
            if (marker is 0x01 or 0xD8 or >= 0xD0 and <= 0xD7) continue; // markers without a length
            if (marker is 0xD9 or 0xDA) return false; // end of image, or scan data before any frame header
            var length = (jpeg[i] << 8) | jpeg[i + 1];
            if (length < 2) return false;
            if (IsFrameHeader(marker))
            {
                if (i + 7 > jpeg.Length) return false;
                height = (jpeg[i + 3] << 8) | jpeg[i + 4];
                width = (jpeg[i + 5] << 8) | jpeg[i + 6];
                return width > 0 && height > 0;
            }
            i += length;
        }
        return false;
    }

    /// <summary>SOF0…SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.</summary>
    private static bool IsFrameHeader(byte marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);
}
