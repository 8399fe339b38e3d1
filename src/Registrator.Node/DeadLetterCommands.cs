using Akka.Configuration;
using Registrator.Actors.Configuration;
using Registrator.Actors.EventStore;
using Registrator.Actors.EventStore.Sinks;
using Registrator.Actors.Redis;

namespace Registrator.Node;

/// <summary>
/// <c>registrator dead-letters list|replay</c>: the events a node's store gave up on (Redis refused them for good, see
/// <see cref="DeadLetterFile"/>), read from the outbox folder the same configuration gives the node. <c>replay</c>
/// writes them to Redis through the sink each was prepared for (idempotent, so a replay of an event already there
/// changes nothing) and removes those Redis took; it works while the node runs. A replayed event is in Redis but is not
/// announced (no EventRegistered, no NATS or page notice): the node that gave up on it has long answered its task.
/// </summary>
internal static class DeadLetterCommands
{
    public static async Task<int> ListAsync(FileInfo? configFile, TextWriter output, CancellationToken cancellation)
    {
        var (file, _, _) = await OpenAsync(configFile, cancellation);
        var (letters, problems) = Read(file);
        output.WriteLine($"{letters.Count} dead letters in {file.FilePath}");
        foreach (var letter in letters)
        {
            var e = letter.Pending.Event;
            output.WriteLine($"{letter.EventId}  task {e.TaskKey}  {letter.Pending.Sink} {letter.Pending.RedisKey}  at {letter.At:u} after {letter.Attempts} attempts: {letter.Reason}");
        }
        foreach (var problem in problems) output.WriteLine($"unreadable: {problem}");
        return 0;
    }

    /// <param name="only">Replay only these events; empty = all.</param>
    public static async Task<int> ReplayAsync(FileInfo? configFile, IReadOnlyCollection<Guid> only, TextWriter output, CancellationToken cancellation)
    {
        var (file, settings, redis) = await OpenAsync(configFile, cancellation);
        using var connection = new RedisConnection(redis);
        var sinks = Sinks(connection, settings.Keys);
        var (letters, _) = Read(file);
        var replayed = new HashSet<Guid>();
        var failed = 0;
        foreach (var letter in letters.Where(l => only.Count == 0 || only.Contains(l.EventId)))
        {
            try
            {
                await sinks[letter.Pending.Sink].WriteAsync(letter.Pending, cancellation);
                replayed.Add(letter.EventId);
                output.WriteLine($"{letter.EventId}: recorded in {letter.Pending.RedisKey}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                output.WriteLine($"{letter.EventId}: still refused ({ex.Message}); kept");
            }
        }
        var removed = await RetryWhileLockedAsync(() => file.Remove(replayed, sinks.ContainsKey), cancellation);
        output.WriteLine($"replayed {replayed.Count}, removed {removed} from {file.FilePath}, {failed} kept");
        return failed == 0 ? 0 : 1;
    }

    private static async Task<(DeadLetterFile File, EventStoreSettings Settings, RedisSettings Redis)> OpenAsync(FileInfo? configFile, CancellationToken cancellation)
    {
        var overrides = configFile is null ? null : ConfigurationFactory.ParseString(await File.ReadAllTextAsync(configFile.FullName, cancellation));
        var config = RegistratorConfig.Load(overrides);
        var settings = EventStoreSettings.From(config.GetConfig("registrator.events"));
        var directory = settings.OutboxDirectory(EventStoreActor.OutputPathOf(config));
        return (new DeadLetterFile(directory), settings, RedisSettings.From(config.GetConfig("registrator.redis")));
    }

    private static (IReadOnlyList<DeadLetter>, IReadOnlyList<string>) Read(DeadLetterFile file)
    {
        var sinks = new HashSet<string> { SortedSetEventSink.SinkName, ListEventSink.SinkName };
        return RetryWhileLockedAsync(() => file.ReadAll(sinks.Contains), CancellationToken.None).GetAwaiter().GetResult();
    }

    private static Dictionary<string, IEventSink> Sinks(RedisConnection connection, RedisKeys keys)
    {
        IEventSink sortedSet = new SortedSetEventSink(connection, keys), list = new ListEventSink(connection, keys);
        return new() { [sortedSet.Name] = sortedSet, [list.Name] = list };
    }

    /// <summary>The node holds the file only while it appends one line: a few tries get past it.</summary>
    private static async Task<T> RetryWhileLockedAsync<T>(Func<T> operation, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return operation();
            }
            catch (IOException) when (attempt < 50)
            {
                await Task.Delay(100, cancellation);
            }
        }
    }
}
