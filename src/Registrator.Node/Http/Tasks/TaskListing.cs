namespace Registrator.Node.Http.Tasks;

/// <summary>
/// What <see cref="TaskDirectory"/> found: the tasks that answered, the regions it asked, <paramref name="Total"/>
/// entities the regions listed (more than the tasks when a limit cut the list), and <paramref name="Unanswered"/> of
/// those asked that did not answer in time.
/// </summary>
internal sealed record TaskListing(IReadOnlyList<HostedTask> Tasks, IReadOnlyList<RegionSummary> Regions, int Total, int Unanswered);
