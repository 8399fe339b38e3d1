namespace Registrator.Media;

/// <summary>
/// Reads the NAL units of an Annex-B H.264 access unit (units separated by 00 00 01 or 00 00 00 01
/// start codes), to pull the SPS and PPS out of a keyframe for the MP4 muxer's avcC box.
/// </summary>
internal static class AnnexB
{
    public const int NalTypeIdr = 5;
    public const int NalTypeSps = 7;
    public const int NalTypePps = 8;

    /// <summary>The NAL units of <paramref name="accessUnit"/>, without start codes or trailing zero bytes.</summary>
    public static List<ArraySegment<byte>> NalUnits(byte[] accessUnit)
    {
        var units = new List<ArraySegment<byte>>();
        var start = -1;
        var i = 0;
        while (i + 2 < accessUnit.Length)
        {
            if (accessUnit[i] == 0 && accessUnit[i + 1] == 0 && accessUnit[i + 2] == 1)
            {
                if (start >= 0)
                {
                    units.Add(Trimmed(accessUnit, start, i));
                }

                i += 3;
                start = i;
            }
            else
            {
                i++;
            }
        }

        if (start >= 0 && start < accessUnit.Length)
        {
            units.Add(Trimmed(accessUnit, start, accessUnit.Length));
        }

        units.RemoveAll(unit => unit.Count == 0);
        return units;
    }

    /// <summary>nal_unit_type: the low five bits of a NAL unit's first byte.</summary>
    public static int NalType(ArraySegment<byte> unit) => unit[0] & 0x1F;

    /// <summary>
    /// The SPS and PPS units of a keyframe as Annex-B (each behind a 4-byte start code), in stream
    /// order: the codec extradata FFmpeg's MP4 muxer turns into the avcC box. Throws
    /// <see cref="MediaException"/> when either is missing.
    /// </summary>
    public static byte[] ParameterSets(byte[] keyframe)
    {
        var sets = NalUnits(keyframe).Where(unit => NalType(unit) is NalTypeSps or NalTypePps).ToList();
        if (!sets.Any(unit => NalType(unit) == NalTypeSps) || !sets.Any(unit => NalType(unit) == NalTypePps))
        {
            throw new MediaException(
                "the first keyframe carries no SPS and PPS in-band (was it encoded with a global header?)");
        }

        using var extradata = new MemoryStream();
        foreach (var unit in sets)
        {
            extradata.Write([0, 0, 0, 1]);
            extradata.Write(unit);
        }

        return extradata.ToArray();
    }

    // The zero byte of a 4-byte start code (and any trailing_zero_8bits) belongs to no NAL unit.
    private static ArraySegment<byte> Trimmed(byte[] bytes, int start, int end)
    {
        while (end > start && bytes[end - 1] == 0)
        {
            end--;
        }

        return new ArraySegment<byte>(bytes, start, end - start);
    }
}
