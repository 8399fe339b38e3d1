using Registrator.Contracts;

namespace Registrator.Node.Http.Tasks;

/// <summary>A task's snapshot and the node it runs on: its member address and, once that node published it, its HTTP base URL.</summary>
internal sealed record HostedTask(TaskReplies.TaskSnapshot Snapshot, string NodeAddress, string? NodeUrl);
