namespace Registrator.Actors.Tasks;

/// <summary>
/// <c>TaskData/2</c> (written now) is <c>TaskData/1</c> (<see cref="TaskDataV1Format"/>) followed by the <c>span</c>
/// policy's state: the open incident (presence byte, then an incident), the window's statuses and detections (int32
/// each), its first and last detection, the newest capture time (nullable doubles), when it was seen (UTC ticks); then,
/// for each registration in the order of <c>TaskData/1</c>, its incident (presence byte, then an incident). An incident:
/// event id (16 bytes), start, last detection (double), keyframe stage (byte), keyframe pts (presence byte, then int64),
/// image path (nullable string), announced (byte), end (nullable double), part (int32).
/// </summary>
internal static class TaskDataV2Format
{
    /// <summary>What <c>TaskData/2</c> adds after the <c>TaskData/1</c> fields.</summary>
    public static void WriteSpan(ref TaskWireWriter w, TaskData s)
    {
        Write(ref w, s.Span.Open);
        w.Write(s.Span.WindowSeen); w.Write(s.Span.WindowDetections);
        w.Write(s.Span.WindowFirstDetection); w.Write(s.Span.WindowLastDetection); w.Write(s.Span.Newest); w.Write(s.Span.NewestSeenAt);
        foreach (var reg in s.Registrations) Write(ref w, reg.Incident);
    }

    /// <summary>Reads what <see cref="WriteSpan"/> wrote onto the value <c>TaskData/1</c> read.</summary>
    public static TaskData ReadSpan(ref TaskWireReader r, TaskData data)
    {
        var open = ReadIncident(ref r);
        var span = new SpanState
        {
            Open = open,
            WindowSeen = r.ReadInt(),
            WindowDetections = r.ReadInt(),
            WindowFirstDetection = r.ReadNullableDouble(),
            WindowLastDetection = r.ReadNullableDouble(),
            Newest = r.ReadNullableDouble(),
            NewestSeenAt = r.ReadDateTimeOffset(),
        };
        var registrations = data.Registrations;
        for (var i = 0; i < registrations.Count; i++) registrations = registrations.SetItem(i, registrations[i] with { Incident = ReadIncident(ref r) });
        return data with { Span = span, Registrations = registrations };
    }

    private static void Write(ref TaskWireWriter w, Incident? incident)
    {
        w.Write(incident is not null);
        if (incident is null) return;
        w.Write(incident.EventId); w.Write(incident.Start); w.Write(incident.LastDetection); w.Write((byte)incident.Keyframe);
        w.Write(incident.KeyframePts is not null);
        if (incident.KeyframePts is { } pts) w.Write(pts);
        w.Write(incident.ImagePath); w.Write(incident.Announced); w.Write(incident.End); w.Write(incident.Part);
    }

    private static Incident? ReadIncident(ref TaskWireReader r)
    {
        if (!r.ReadBool()) return null;
        var incident = new Incident(r.ReadGuid(), r.ReadDouble(), r.ReadDouble())
        {
            Keyframe = r.ReadEnum<KeyframeStage>("keyframe stage"),
        };
        return incident with
        {
            KeyframePts = r.ReadBool() ? r.ReadLong() : null,
            ImagePath = r.ReadNullableString(),
            Announced = r.ReadBool(),
            End = r.ReadNullableDouble(),
            Part = r.ReadInt(),
        };
    }
}
