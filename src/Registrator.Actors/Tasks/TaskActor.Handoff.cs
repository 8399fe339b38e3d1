using Akka.Actor;
using Akka.Event;

namespace Registrator.Actors.Tasks;

// Hand-off: the state taken from the previous incarnation before the first message, and saved for the next one on a stop.
public sealed partial class TaskActor
{
    /// <summary>
    /// Before its first message the task takes the state its previous incarnation left (a shard that moved, an idle
    /// passivation), so nothing newer is handled against an empty task. Everything else waits in the stash.
    /// </summary>
    private void Restoring()
    {
        Receive<TaskStateRestored>(restored =>
        {
            if (restored.State is { } bytes) Restore(bytes);
            BecomeActive();
        });
        Receive<TaskStateRestoreFailed>(failed =>
        {
            _metrics.TaskState("restore-failed");
            _log.Error(failed.Cause, "[{0}] the previous incarnation's state could not be read from Redis: starting fresh", _state.Key);
            BecomeActive();
        });
        Receive<RestoreTimedOut>(_ =>
        {
            _metrics.TaskState("restore-failed");
            _log.Error("[{0}] no answer from Redis within {1} for the previous incarnation's state: starting fresh", _state.Key, _settings.StateRestoreTimeout);
            BecomeActive();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Restore(byte[] bytes)
    {
        try
        {
            var restored = _stateSerializer.FromHandoff(bytes);
            if (restored.Key != _state.Key)
            {
                _log.Error("[{0}] the state found in Redis belongs to task [{1}]: ignored", _state.Key, restored.Key);
                _metrics.TaskState("restore-failed");
                return;
            }
            // A new incarnation has a new encoder session, whose first packet is a keyframe anyway.
            _state = restored with { StopRequested = false, Frames = restored.Frames with { ForceKeyframeNext = true } };
            _budget.Add(_state.HeldBytes);
            _metrics.TaskState("restored");
            _log.Info("[{0}] restored: {1}, cycle {2}, {3} statuses, {4} frames ({5} bytes)",
                _state.Key, _state.State, _state.Cycle, _state.Statuses.Count, _state.Frames.Count, _state.Frames.Bytes);
        }
        catch (Exception ex) when (ex is System.Runtime.Serialization.SerializationException or InvalidCastException)
        {
            _metrics.TaskState("restore-failed");
            _log.Error(ex, "[{0}] the state found in Redis does not read: starting fresh", _state.Key);
        }
    }

    private void BecomeActive()
    {
        Timers.Cancel(RestoreTimedOut.Instance);
        Become(Active);
        Stash.UnstashAll();
        KeepReorderTimer();
        KeepSpanTimer();
    }

    /// <summary>Writing the state for the next incarnation; the shard sends nothing new meanwhile.</summary>
    private void Saving()
    {
        Receive<TaskStateSaved>(saved =>
        {
            if (saved.Failure is null)
            {
                _metrics.TaskState("saved");
                if (_log.IsDebugEnabled) _log.Debug("[{0}] state saved for the next incarnation", _state.Key);
            }
            else
            {
                _metrics.TaskState("save-failed");
                _log.Error(saved.Failure, "[{0}] the state could not be saved to Redis: {1} statuses and {2} frames are lost",
                    _state.Key, _state.Statuses.Count, _state.Frames.Count);
            }
            Context.Stop(Self);
        });
        ReceiveAny(m =>
        {
            if (_log.IsDebugEnabled) _log.Debug("[{0}] stopping: {1} ignored", _state.Key, m.GetType().Name);
        });
    }

    /// <summary>Stops, first saving the state for the next incarnation when the stop was a hand-off or an idle passivation.</summary>
    private void StopSelf()
    {
        if (_stopping) return;
        _stopping = true;
        if (_handoff is null || !_keepStateOnStop || !_state.HasContent)
        {
            Context.Stop(Self);
            return;
        }
        var bytes = _stateSerializer.ToBinary(_state);
        Become(Saving);
        _handoff.SaveAsync(_state.Key, bytes).PipeTo(Self,
            success: () => new TaskStateSaved(null),
            failure: ex => new TaskStateSaved(ex));
    }
}
