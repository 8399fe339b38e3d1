namespace Registrator.Actors.EventStore.Retention;

/// <summary>What a node's retention does with one expired event (decided by <see cref="RetentionPolicy.Decide"/>).</summary>
public enum RetentionAction
{
    /// <summary>Another node holds the files and is alive (or not gone long enough): left for it.</summary>
    Keep,
    /// <summary>This node holds the files (or the event names no node): the record is removed and the files deleted here.</summary>
    RemoveAndDelete,
    /// <summary>The holding node is gone for longer than <c>abandon-after</c>: the record is removed, its files are left to that node's orphan sweep.</summary>
    RemoveAbandoned,
}
