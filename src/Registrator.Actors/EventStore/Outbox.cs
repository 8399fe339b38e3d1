namespace Registrator.Actors.EventStore;

/// <summary>A line the outbox could not read (a torn write after a crash, a damaged disk): skipped, never fatal.</summary>
/// <param name="LineNumber">1-based line number in the file as it was read.</param>
/// <param name="AtTail">The last line of the file: the signature of a crash mid-append.</param>
internal sealed record OutboxProblem(long LineNumber, long Offset, string Reason, bool AtTail);

/// <summary>What <see cref="Outbox.Recover"/> found: the undelivered events, the first of them in memory.</summary>
/// <param name="InMemory">The first undelivered events, in file order, at most the queue's capacity.</param>
/// <param name="SpillOffset">Offset of the first undelivered event not in <paramref name="InMemory"/>; <c>null</c> when all are.</param>
/// <param name="Pending">Undelivered events in the file.</param>
/// <param name="Delivered">Events the file recorded as done (dropped by the compaction).</param>
internal sealed record OutboxRecovery(
    IReadOnlyList<PendingEvent> InMemory, long? SpillOffset, int Pending, int Delivered, IReadOnlyList<OutboxProblem> Problems);

/// <summary>What <see cref="Outbox.CompactLive"/> did: the file's length before and after, the undelivered events kept, and where the spilled ones start now.</summary>
internal sealed record OutboxCompaction(long LengthBefore, long LengthAfter, int Pending, long? SpillOffset);

/// <summary>Events read back from the file for the delivery queue.</summary>
/// <param name="NextOffset">Where the next read starts; <c>null</c> when the read reached the end of the file.</param>
internal sealed record OutboxBatch(IReadOnlyList<PendingEvent> Events, long? NextOffset, IReadOnlyList<OutboxProblem> Problems);

/// <summary>
/// The event store's durable outbox: one append-only JSON-lines file, <c>&lt;outbox-path&gt;/events.jsonl</c>
/// (<see cref="OutboxLine"/>). An event's "add" line is written and flushed to disk before the store acknowledges it; a
/// "done" line follows once Redis has it. <see cref="Recover"/> (at start) keeps only the undelivered adds, rewriting
/// the file atomically (temp file + rename); <see cref="Truncate"/> empties it when everything in it is done.
/// A lock file keeps a second store (another node on the same host) out of the folder.
/// All methods block on file I/O: the actor calls them through <see cref="Task.Run(Action)"/>, one at a time.
/// </summary>
internal sealed class Outbox : IDisposable
{
    public const string FileName = "events.jsonl";
    private const string LockFileName = "events.lock";
    private const int ReadBufferSize = OutboxLines.BufferSize;

    private readonly object _gate = new();
    private readonly FileStream _lock;
    private readonly Func<string, bool> _knownSink;
    private FileStream? _stream;
    private long _length;

    private Outbox(string directory, FileStream lockFile, Func<string, bool> knownSink)
    {
        Directory = directory;
        FilePath = Path.Combine(directory, FileName);
        _lock = lockFile;
        _knownSink = knownSink;
    }

    public string Directory { get; }
    public string FilePath { get; }

    /// <summary>Opens (creating) the folder and takes its lock.</summary>
    /// <exception cref="IOException">Another event store holds the folder, or it cannot be created.</exception>
    public static Outbox Open(string directory, Func<string, bool> knownSink)
    {
        System.IO.Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            // FileShare.None takes an exclusive flock on Unix: a second process (or store) fails here, not later.
            lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"outbox folder {directory} is in use by another event store; give each node on a host its own registrator.events.outbox-path", ex);
        }
        return new Outbox(directory, lockFile, knownSink);
    }

    /// <summary>
    /// Reads the file, skips unreadable lines, and rewrites it with only the undelivered adds, in their order (an
    /// unreadable tail from a crash is gone afterwards, so new lines never continue a torn one). Then opens it for appending.
    /// </summary>
    public OutboxRecovery Recover(int maxInMemory)
    {
        lock (_gate)
        {
            if (_stream is not null) throw new InvalidOperationException("the outbox is already open");
            var problems = new List<OutboxProblem>();
            var done = new HashSet<Guid>();
            var adds = 0;
            long lastLine = 0;
            if (File.Exists(FilePath))
            {
                using var input = OpenRead();
                foreach (var line in OutboxLines.Read(input, 0, long.MaxValue))
                {
                    lastLine = line.Number;
                    switch (TryParse(line, problems))
                    {
                        case OutboxEntry.Done d: done.Add(d.EventId); break;
                        case OutboxEntry.Added: adds++; break;
                    }
                }
            }
            for (var i = 0; i < problems.Count; i++)
                if (problems[i].LineNumber == lastLine) problems[i] = problems[i] with { AtTail = true };

            var inMemory = new List<PendingEvent>();
            long? spillOffset = null;
            var pending = 0;
            if (adds > 0) pending = Compact(done, maxInMemory, inMemory, ref spillOffset);
            if (pending == 0 && File.Exists(FilePath)) File.Delete(FilePath);

            _stream = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            _length = _stream.Length;
            return new OutboxRecovery(inMemory, spillOffset, pending, done.Count, problems);
        }
    }

    /// <summary>Appends whole lines at the end; with <paramref name="durable"/> they are on disk when this returns.</summary>
    /// <returns>The offset of each line, for the delivery queue to read spilled events back.</returns>
    public IReadOnlyList<long> Append(IReadOnlyList<byte[]> lines, bool durable)
    {
        lock (_gate)
        {
            var stream = _stream ?? throw new InvalidOperationException("the outbox is not recovered yet");
            var offsets = new long[lines.Count];
            var total = 0;
            for (var i = 0; i < lines.Count; i++)
            {
                offsets[i] = _length + total;
                total += lines[i].Length;
            }
            var buffer = new byte[total];
            var at = 0;
            foreach (var line in lines)
            {
                line.CopyTo(buffer, at);
                at += line.Length;
            }
            try
            {
                // A failed earlier append may have left part of a line: cut it, so this batch starts on a line of its own.
                if (stream.Length != _length) stream.SetLength(_length);
                stream.Position = _length;
                stream.Write(buffer);
                if (durable) stream.Flush(flushToDisk: true);
                _length += total;
                return offsets;
            }
            catch
            {
                try { stream.SetLength(_length); } catch (IOException) { /* the next append cuts it */ }
                throw;
            }
        }
    }

    /// <summary>Reads up to <paramref name="max"/> undelivered adds from <paramref name="offset"/> on (lines written after it are adds of spilled events or dones of earlier ones).</summary>
    public OutboxBatch ReadFrom(long offset, int max)
    {
        lock (_gate)
        {
            var events = new List<PendingEvent>();
            var problems = new List<OutboxProblem>();
            using var input = OpenRead();
            foreach (var line in OutboxLines.Read(input, offset, _length))
            {
                if (TryParse(line, problems) is not OutboxEntry.Added added) continue;
                if (events.Count == max) return new OutboxBatch(events, line.Offset, problems);
                events.Add(added.Event);
            }
            return new OutboxBatch(events, null, problems);
        }
    }

    /// <summary>
    /// Empties the file: every event in it is done. Not flushed: if a crash undoes it, the old lines come back with
    /// their done lines and nothing is delivered twice; the next durable append flushes the new length with it.
    /// </summary>
    public void Truncate()
    {
        lock (_gate)
        {
            var stream = _stream ?? throw new InvalidOperationException("the outbox is not recovered yet");
            stream.SetLength(0);
            _length = 0;
        }
    }

    /// <summary>
    /// Rewrites the file, while the store runs, with only its undelivered adds (atomically: temp file + rename), so
    /// that under steady load it stays bounded instead of growing until the queue happens to drain.
    /// <paramref name="alsoDone"/> are delivered events whose done lines are not written yet. The first
    /// <paramref name="inMemory"/> undelivered adds are the delivery queue's window; the offset of the one after them is
    /// returned, for the queue's reads of spilled events (<c>null</c>: none follows).
    /// </summary>
    public OutboxCompaction CompactLive(IReadOnlySet<Guid> alsoDone, int inMemory)
    {
        lock (_gate)
        {
            var stream = _stream ?? throw new InvalidOperationException("the outbox is not recovered yet");
            var before = _length;
            var done = new HashSet<Guid>(alsoDone);
            var problems = new List<OutboxProblem>();
            using (var input = OpenRead())
            {
                foreach (var line in OutboxLines.Read(input, 0, _length))
                    if (TryParse(line, problems) is OutboxEntry.Done d) done.Add(d.EventId);
            }
            long? spillOffset = null;
            var pending = Compact(done, inMemory, [], ref spillOffset);
            stream.Dispose();
            _stream = null;
            if (pending == 0 && File.Exists(FilePath)) File.Delete(FilePath);
            _stream = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            _length = _stream.Length;
            return new OutboxCompaction(before, _length, pending, spillOffset);
        }
    }

    /// <summary>Bytes in the file (what this process wrote or recovered).</summary>
    public long Length
    {
        get { lock (_gate) return _length; }
    }

    public void Dispose()
    {
        // Taking the gate waits for an append in flight on another thread: it finishes its line before the file closes.
        lock (_gate)
        {
            _stream?.Dispose();
            _stream = null;
            _lock.Dispose();
        }
    }

    private int Compact(HashSet<Guid> done, int maxInMemory, List<PendingEvent> inMemory, ref long? spillOffset)
    {
        if (!File.Exists(FilePath)) return 0;
        return CompactExisting(done, maxInMemory, inMemory, ref spillOffset);
    }

    private int CompactExisting(HashSet<Guid> done, int maxInMemory, List<PendingEvent> inMemory, ref long? spillOffset)
    {
        var temp = FilePath + ".tmp";
        var seen = new HashSet<Guid>();
        var pending = 0;
        using (var input = OpenRead())
        using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, ReadBufferSize))
        {
            var ignored = new List<OutboxProblem>();
            foreach (var line in OutboxLines.Read(input, 0, long.MaxValue))
            {
                if (TryParse(line, ignored) is not OutboxEntry.Added added) continue;
                if (done.Contains(added.Event.EventId) || !seen.Add(added.Event.EventId)) continue;
                var offset = output.Position;
                // The original bytes, not a re-serialization: the payload Redis gets stays byte for byte the same.
                output.Write(line.Bytes.Span);
                output.WriteByte((byte)'\n');
                pending++;
                if (pending <= maxInMemory) inMemory.Add(added.Event);
                else spillOffset ??= offset;
            }
            output.Flush(flushToDisk: true);
        }
        if (pending == 0)
        {
            File.Delete(temp);
            return 0;
        }
        File.Move(temp, FilePath, overwrite: true);
        return pending;
    }

    private OutboxEntry? TryParse(RawLine line, List<OutboxProblem> problems)
    {
        if (line.Bytes.Span.Trim(" \t\r"u8).IsEmpty) return null;
        try
        {
            return OutboxLine.Parse(line.Bytes.Span, _knownSink);
        }
        catch (FormatException ex)
        {
            problems.Add(new OutboxProblem(line.Number, line.Offset, line.Terminated ? ex.Message : ex.Message + " (no line break: torn write)", AtTail: false));
            return null;
        }
    }

    private FileStream OpenRead() =>
        new(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, ReadBufferSize);
}
