using System.Numerics;
using Xunit;

namespace Registrator.Testing;

/// <summary>Peak signal-to-noise ratio between BGR24 pictures, and matching decoded frames back to their sources.</summary>
public static class Psnr
{
    /// <summary>PSNR in dB over all three channels of two equal-sized frames; identical frames are capped at 100 dB.</summary>
    public static double Of(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var squares = SumOfSquaredDifferences(expected, actual);
        if (squares == 0) return 100;
        var meanSquare = (double)squares / expected.Length;
        return Math.Min(100, 10 * Math.Log10(255.0 * 255.0 / meanSquare));
    }

    // Vectorised: matching a clip compares every decoded frame with every source frame.
    private static long SumOfSquaredDifferences(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long total = 0;
        var i = 0;
        var width = Vector<byte>.Count;
        var sum = Vector<int>.Zero;
        var pending = 0;
        for (; i + width <= a.Length; i += width)
        {
            Vector.Widen(new Vector<byte>(a[i..]), out var aLow, out var aHigh);
            Vector.Widen(new Vector<byte>(b[i..]), out var bLow, out var bHigh);
            var dLow = Vector.AsVectorInt16(aLow) - Vector.AsVectorInt16(bLow);
            var dHigh = Vector.AsVectorInt16(aHigh) - Vector.AsVectorInt16(bHigh);
            Vector.Widen(dLow, out var d0, out var d1);
            Vector.Widen(dHigh, out var d2, out var d3);
            sum += (d0 * d0) + (d1 * d1) + (d2 * d2) + (d3 * d3);
            // Each lane gains at most 4 × 255² a step: flush long before an int could overflow.
            if (++pending == 1024)
            {
                total += SumLanes(sum);
                sum = Vector<int>.Zero;
                pending = 0;
            }
        }
        total += SumLanes(sum);
        for (; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            total += d * d;
        }
        return total;
    }

    private static long SumLanes(Vector<int> v)
    {
        long total = 0;
        for (var lane = 0; lane < Vector<int>.Count; lane++) total += v[lane];
        return total;
    }

    /// <summary>For each decoded frame, the source frame it is closest to (highest PSNR) and that PSNR.</summary>
    public static IReadOnlyList<(int Source, double Db)> Match(IReadOnlyList<byte[]> decoded, IReadOnlyList<byte[]> sources) =>
        decoded.Select(frame =>
        {
            var best = (Source: -1, Db: double.NegativeInfinity);
            for (var s = 0; s < sources.Count; s++)
            {
                var db = Of(sources[s], frame);
                if (db > best.Db) best = (s, db);
            }
            return best;
        }).ToList();

    /// <summary>Asserts each decoded frame matched a source above <paramref name="minDb"/> and returns the sources' indices in clip order.</summary>
    public static IReadOnlyList<int> MatchedIndices(IReadOnlyList<byte[]> decoded, IReadOnlyList<byte[]> sources, double minDb = 30)
    {
        var matches = Match(decoded, sources);
        for (var i = 0; i < matches.Count; i++)
            Assert.True(matches[i].Db > minDb, $"clip frame {i} matches source {matches[i].Source} at only {matches[i].Db:F1} dB");
        return matches.Select(m => m.Source).ToList();
    }
}
