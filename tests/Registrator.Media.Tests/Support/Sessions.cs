namespace Registrator.Media.Tests.Support;

/// <summary>Encodes test frames through a real <see cref="H264Session"/>, as a camera's frames would be.</summary>
public static class Sessions
{
    /// <summary>
    /// One packet per frame, pts 0, 1, 2, … unless <paramref name="pts"/> gives them; frames whose
    /// index is in <paramref name="forceKeyframesAt"/> are forced IDRs.
    /// </summary>
    public static List<EncodedPacket> Encode(
        IReadOnlyList<byte[]> frames, int width, int height, EncoderOptions? options = null,
        IReadOnlyList<long>? pts = null, params int[] forceKeyframesAt)
    {
        using var session = new H264Session(width, height, options ?? new EncoderOptions());
        return frames.Select((frame, i) => session.Encode(frame, pts?[i] ?? i, forceKeyframesAt.Contains(i))).ToList();
    }

    /// <summary>NAL unit types of an Annex-B access unit, in order (5 IDR slice, 1 non-IDR slice, 6 SEI, 7 SPS, 8 PPS).</summary>
    public static List<int> NalTypes(EncodedPacket packet) =>
        AnnexB.NalUnits(packet.Data).Select(AnnexB.NalType).ToList();
}
