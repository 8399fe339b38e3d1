using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace Registrator.Actors.Tasks;

/// <summary>
/// <c>TaskData/1</c>, the first format and the prefix of every later one, in order:
/// <list type="bullet">
/// <item>key (string), lifecycle column (byte), cycle (int32), statuses (int32 count, then one byte 0/1 each);</item>
/// <item>trigger: window (int32), ratio (double), seen (int32), detections (int32);</item>
/// <item>latest message JSON (nullable string), latest message time (nullable double);</item>
/// <item>the cycle's frames (<see cref="CycleFramesFormat"/>);</item>
/// <item>clock: epoch (nullable double), last tick (int64), last kept time (double), newest (double) — the
/// <c>MinValue</c> sentinels travel as they are;</item>
/// <item>registrations (int32 count), each: event id (16 bytes), reply-to (actor path string; "" for
/// <see cref="ActorRefs.Nobody"/>), message JSON (string), cycle (int32), frames (<see cref="CycleFramesFormat"/>),
/// keyframe id (nullable string), status count (int32), most common status (byte 0 = null, 1 = false, 2 = true), stage
/// (byte), frame count (int32);</item>
/// <item>last triggered (presence byte, then UTC ticks as int64), stop requested (byte);</item>
/// <item>counters: frames dropped, GOPs dropped, frames skipped, frames late, statuses dropped, rejected, frames
/// budget-dropped (int64 each).</item>
/// </list>
/// A string is a presence byte, an int32 length and UTF-8; a required string is written present.
/// </summary>
internal static class TaskDataV1Format
{
    public static void Write(ref TaskWireWriter w, TaskData s)
    {
        w.Write(s.Key);
        w.Write((byte)s.Column);
        w.Write(s.Cycle);
        w.Write(s.Statuses.Count);
        foreach (var status in s.Statuses) w.Write(status);
        w.Write(s.Trigger.Window); w.Write(s.Trigger.Ratio); w.Write(s.Trigger.Seen); w.Write(s.Trigger.Detections);
        w.Write(s.LatestMessageJson);
        w.Write(s.LatestMessageTime);
        CycleFramesFormat.Write(ref w, s.Frames);
        w.Write(s.Clock.Epoch); w.Write(s.Clock.LastTick); w.Write(s.Clock.LastKeptTime); w.Write(s.Clock.Newest);
        w.Write(s.Registrations.Count);
        foreach (var reg in s.Registrations)
        {
            w.Write(reg.EventId);
            w.Write(ActorPathOf(reg.ReplyTo));
            w.Write(reg.MessageJson);
            w.Write(reg.Cycle);
            CycleFramesFormat.Write(ref w, reg.Frames);
            w.Write(reg.KeyframeId);
            w.Write(reg.StatusCount);
            w.Write((byte)(reg.MostCommonStatus switch { null => 0, false => 1, true => 2 }));
            w.Write((byte)reg.Stage);
            w.Write(reg.FrameCount);
        }
        w.Write(s.LastTriggered);
        w.Write(s.StopRequested);
        var c = s.Counters;
        w.Write(c.FramesDropped); w.Write(c.GopsDropped); w.Write(c.FramesSkipped); w.Write(c.FramesLate);
        w.Write(c.StatusesDropped); w.Write(c.Rejected); w.Write(c.FramesBudgetDropped);
    }

    /// <param name="r">The input.</param>
    /// <param name="resolveActorRef">Turns a reply-to path back into a reference on this node's system.</param>
    public static TaskData Read(ref TaskWireReader r, Func<string, IActorRef> resolveActorRef)
    {
        var key = r.ReadString();
        var column = r.ReadEnum<LifecycleColumn>("lifecycle column");
        var cycle = r.ReadInt();
        var statusCount = r.ReadCount(1, "status");
        var statuses = StatusHistory.Empty;
        for (var i = 0; i < statusCount; i++) statuses = statuses.Add(r.ReadBool(), int.MaxValue).History;
        var trigger = new WindowTrigger(r.ReadInt(), r.ReadDouble(), r.ReadInt(), r.ReadInt());
        var latestMessageJson = r.ReadNullableString();
        var latestMessageTime = r.ReadNullableDouble();
        var frames = CycleFramesFormat.Read(ref r);
        var clock = new CaptureClock(r.ReadNullableDouble(), r.ReadLong(), r.ReadDouble(), r.ReadDouble());
        // The smallest registration: every fixed field, empty strings and empty frames.
        var registrationCount = r.ReadCount(
            16 + CycleFramesFormat.StringMin * 2 + 4 + CycleFramesFormat.FramesMin + 1 + 4 + 1 + 1 + 4, "registration");
        var registrations = ImmutableList.CreateBuilder<TaskRegistration>();
        for (var i = 0; i < registrationCount; i++)
        {
            var eventId = r.ReadGuid();
            var replyTo = ResolveActorRef(r.ReadString(), resolveActorRef);
            var messageJson = r.ReadString();
            var regCycle = r.ReadInt();
            var regFrames = CycleFramesFormat.Read(ref r);
            var keyframeId = r.ReadNullableString();
            var regStatusCount = r.ReadInt();
            bool? mostCommon = r.ReadByte() switch
            {
                0 => null,
                1 => false,
                2 => true,
                var b => throw new SerializationException($"invalid most-common status {b}"),
            };
            var stage = r.ReadEnum<RegistrationStage>("registration stage");
            var frameCount = r.ReadInt();
            registrations.Add(new TaskRegistration(eventId, replyTo, messageJson, regCycle, regFrames, keyframeId, regStatusCount,
                mostCommon, stage, frameCount));
        }
        var lastTriggered = r.ReadNullableDateTimeOffset();
        var stopRequested = r.ReadBool();
        var counters = new TaskCounters(r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong());
        return new TaskData
        {
            Key = key,
            Column = column,
            Cycle = cycle,
            Statuses = statuses,
            Trigger = trigger,
            LatestMessageJson = latestMessageJson,
            LatestMessageTime = latestMessageTime,
            Frames = frames,
            Clock = clock,
            Registrations = registrations.ToImmutable(),
            LastTriggered = lastTriggered,
            StopRequested = stopRequested,
            Counters = counters,
        };
    }

    /// <summary><see cref="ActorRefs.Nobody"/> (the trigger's registrations) and no sender travel as "".</summary>
    private static string ActorPathOf(IActorRef? actorRef) =>
        actorRef is null || actorRef.Equals(ActorRefs.Nobody) ? "" : Serialization.SerializedActorPath(actorRef);

    private static IActorRef ResolveActorRef(string path, Func<string, IActorRef> resolve) =>
        path.Length == 0 ? ActorRefs.Nobody : resolve(path);
}
