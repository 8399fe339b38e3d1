using System.Diagnostics.Metrics;
using System.Globalization;
using Registrator.Actors.Metrics;

namespace Registrator.Integration.Tests.Support;

/// <summary>What the ffmpeg and ffprobe command-line tools, readers independent of our code, see in a clip or keyframe.</summary>
public static class ClipProbe
{
    /// <summary>The container's duration in seconds (<c>ffprobe -show_entries format=duration</c>).</summary>
    public static double FormatDuration(string path)
    {
        var text = System.Text.Encoding.ASCII.GetString(ExternalProcess.Run(
            "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", path)).Trim();
        return double.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>A JPEG (or any picture) decoded to BGR24; its size must be <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static byte[] DecodePicture(string path, int width, int height)
    {
        var raw = ExternalProcess.Run("ffmpeg", "-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgr24", "-");
        Assert.Equal(width * height * 3, raw.Length);
        return raw;
    }
}

/// <summary>Reads the node's observable gauges (System.Diagnostics.Metrics) from its <see cref="RegistratorMetrics"/> meter.</summary>
public static class NodeGauges
{
    /// <summary>The gauge's current value summed over its measurements, or null when it reported none.</summary>
    public static long? Read(RegistratorMetrics metrics, string instrument)
    {
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == metrics.MeterName && i.Name == instrument) l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = (value ?? 0) + measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }
}
