namespace Registrator.Contracts;

/// <summary>
/// The lifecycle state of a task, as in the Python module's <c>task_catalog[key]['task']</c>.
/// <see cref="None"/> is a key that no command has created yet (the module's empty string).
/// </summary>
public enum TaskState
{
    /// <summary>No command has touched this key in the current incarnation of the task.</summary>
    None = 0,
    /// <summary>CreateTask or a first frame arrived; no status yet.</summary>
    Created = 1,
    /// <summary>Statuses are being appended.</summary>
    Pending = 2,
    /// <summary>Stopped: no new statuses or frames; registration may be running.</summary>
    Done = 3,
    /// <summary>Registered: the clip and keyframe were written and the event recorded.</summary>
    Finished = 4,
    /// <summary>Registration ran but saving the clip failed; the event was still recorded, with the error.</summary>
    Error = 5,
}
