using System.Globalization;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>
/// The append-only local journal in front of the usage store (&lt;Storage:DataDirectory&gt;/usage-journal/&lt;host name&gt;/):
/// numbered segment files of <see cref="UsageJournalFrame"/>s, one frame per group commit. Appends go to the open
/// segment; the shipper seals it, ships sealed segments in order and deletes each once the store has it. The
/// durability contract it serves: docs/metering.md.
/// </summary>
/// <remarks>
/// An append is one write() to a file opened without buffering and without write-through: once it returns the frame
/// is the kernel's, safe against a crash of this process but not of the host (no fsync: that is the round trip this
/// journal exists to take off the call). Opening the journal checks every segment, drops a torn tail and seals
/// everything found, so what a crashed process left is shipped before new records.
/// The records written by this process are also kept in memory with their segment, so the shipper ships them from
/// there instead of reading the file back and decoding its JSON (issue 26: 4% of the server's CPU at 32 clients on
/// iris-mlp). The file stays the crash-safe copy: a record is kept only once its frame's write() has returned, a
/// segment is deleted (file and copy) only once the store has it, and a restarted process ships from the files. While
/// the store does not take records, the copies stop at two segments' worth of frames and later segments are
/// read back from their files, so an outage fills the disk, not the memory.
/// </remarks>
public sealed class UsageJournal : IDisposable
{
    public const string FolderName = "usage-journal";
    private const string Extension = ".journal";
    // A segment is shipped as one group, read whole into memory; this bounds that memory and a segment's upsert count.
    private const long MaxSegmentBytes = 8 * 1024 * 1024;
    // Frames whose records are kept in memory as well, sealed and open segments together: two full segments, the
    // open one and one waiting for a ship, hold ~50,000 records (~15 MB of objects).
    private readonly long _maxKeptBytes;

    private readonly Lock _lock = new();
    private readonly List<UsageJournalSegment> _sealed = [];
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly ILogger _logger;
    private FileStream? _ownership;
    private Exception? _openFailure;
    private readonly TaskCompletionSource _leftoversShipped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _leftoversNotShippedReason;
    private FileStream? _open;
    private long _openSequence;
    private long _openBytes;
    // The open segment's records in order, null when it is not kept in memory (see _maxKeptBytes).
    private List<UsageRecord>? _openRecords;
    // Frame bytes of the segments (sealed and open) whose records are kept in memory.
    private long _keptBytes;
    private long _nextSequence;
    private long _bytes;

    /// <summary>
    /// The journal of this host under a data folder. Per host because the data folder may be shared: on Linux Premium
    /// the default one is under HOME, an Azure Files share every instance mounts, and an instance must never take
    /// another's segments for leftovers. A process restarted on the same host finds its own.
    /// </summary>
    public static string DirectoryFor(string dataDirectory) => System.IO.Path.Combine(dataDirectory, FolderName, Environment.MachineName);

    /// <remarks>
    /// A data disk that refuses the opening (full, read-only) does not fail the construction, and so the start: the
    /// journal stays closed, appends and ships fail with the disk's error (503s, not-ready), and each tries the
    /// opening again, so the journal opens, recovering what the last run left, once the disk allows it.
    /// </remarks>
    public UsageJournal(string directory, long maxBytes, ILogger<UsageJournal> logger)
    {
        Directory = directory;
        _maxBytes = maxBytes;
        _segmentBytes = Math.Min(MaxSegmentBytes, Math.Max(maxBytes / 8, 64 * 1024));
        _maxKeptBytes = 2 * _segmentBytes;
        _logger = logger;
        TryOpen();
    }

    public string Directory { get; }

    /// <summary>
    /// Builds what a frame's first encoding and decoding would build on the first metered call: System.Text.Json's
    /// metadata for <see cref="UsageRecord"/> (every property type and the enum converter) and the JIT of their generic
    /// instantiations, ~250 methods that ReadyToRun does not hold (issue 26: most of a published app's first metered
    /// call beyond the bare app's). Touches no file; safe to run on any thread, before or beside anything else.
    /// </summary>
    public static void WarmUp()
    {
        var record = new UsageRecord
        {
            Id = UsageRecord.NewId(),
            RequestId = "warm-up",
            CallerId = "warm-up",
            KeyId = "warm-up",
            Model = "warm-up",
            Version = 1,
            Time = DateTimeOffset.UnixEpoch,
            Rows = 1,
            InputBytes = 1,
            InputTokens = 1,
            OutputTokens = 1,
            ComputeSeconds = 1e-6,
            ExecutionProvider = "CPUExecutionProvider",
            Status = 200,
            Outcome = UsageOutcome.Success,
            Cost = 0.000001m,
        };
        var frame = UsageJournalFrame.Encode([record]);
        UsageJournalFrame.Decode(frame.WrittenSpan, out _);
    }

    /// <summary>Bytes in the journal not yet shipped (sealed and open segments).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Completes once what the last run left in the journal is in the store (the shipper's start-up ship).</summary>
    public Task LeftoversShipped => _leftoversShipped.Task;

    public void MarkLeftoversShipped() => _leftoversShipped.TrySetResult();

    /// <summary>
    /// Why what the last run left is not in the store yet, while the start-up ship keeps failing (a full disk under
    /// SQLite, a Table outage); null before the first try and once shipped. In product terms: clients and the
    /// readiness probe are told it.
    /// </summary>
    public string? LeftoversNotShippedReason => _leftoversShipped.Task.IsCompleted ? null : _leftoversNotShippedReason;

    public void MarkLeftoversNotShipped(string reason) => _leftoversNotShippedReason = reason;

    /// <summary>Whether the open segment holds frames that <see cref="Seal"/> would hand to the shipper.</summary>
    public bool HasOpenFrames
    {
        get
        {
            lock (_lock)
            {
                return _open is not null && _openBytes > 0;
            }
        }
    }

    /// <summary>
    /// Opens the journal if the data disk refused it so far; throws the disk's failure while it still does. Ships call
    /// it first: a ship of a journal not yet opened would take no leftovers for all of them.
    /// </summary>
    public void EnsureOpen()
    {
        lock (_lock)
        {
            if (!TryOpen())
            {
                throw new IOException("the usage journal could not be opened", _openFailure);
            }
        }
    }

    /// <summary>
    /// Writes the group as one frame; throws <see cref="UsageStoreException"/> (all records unwritten) when the journal
    /// is full or its disk refused its opening.
    /// </summary>
    public void Append(IReadOnlyList<UsageRecord> records)
    {
        var frame = UsageJournalFrame.Encode(records);
        lock (_lock)
        {
            if (!TryOpen())
            {
                throw new UsageStoreException("the usage journal could not be opened", records.Select(r => r.Id).ToHashSet(), _openFailure);
            }
            if (_bytes + frame.WrittenCount > _maxBytes)
            {
                throw new UsageStoreException(
                    $"the usage journal is full ({_bytes} of {_maxBytes} bytes, Metering:MaxJournalBytes): the usage store has not taken its records yet",
                    records.Select(r => r.Id).ToHashSet());
            }
            if (_open is not null && _openBytes >= _segmentBytes)
            {
                SealOpen();
            }
            if (_open is null)
            {
                // BufferSize 0: each Write is one write() of the whole frame, no copy into a FileStream buffer.
                _open = new FileStream(PathOf(_nextSequence), new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.Read | FileShare.Delete,
                    BufferSize = 0,
                });
                _openSequence = _nextSequence++;
                _openRecords = _keptBytes < _maxKeptBytes ? [] : null;
            }
            try
            {
                _open.Write(frame.WrittenSpan);
            }
            catch (IOException)
            {
                CutBackOpen();
                throw;
            }
            _openBytes += frame.WrittenCount;
            _bytes += frame.WrittenCount;
            // Only now, once the frame is the kernel's: the copy never holds a record the file lacks.
            if (_openRecords is not null)
            {
                _openRecords.AddRange(records);
                _keptBytes += frame.WrittenCount;
            }
        }
    }

    /// <summary>Closes the open segment (if it has frames) so the next <see cref="Sealed"/> includes it.</summary>
    public void Seal()
    {
        lock (_lock)
        {
            SealOpen();
        }
    }

    /// <summary>Sealed segments not yet shipped, oldest first.</summary>
    public IReadOnlyList<UsageJournalSegment> Sealed()
    {
        lock (_lock)
        {
            return [.. _sealed];
        }
    }

    /// <summary>The segment's records: the copy kept in memory when there is one, else its file's frames.</summary>
    public static IReadOnlyList<UsageRecord> Read(UsageJournalSegment segment) =>
        segment.Records ?? UsageJournalFrame.Decode(File.ReadAllBytes(segment.Path), out _);

    /// <summary>The segment is in the store: it leaves the journal.</summary>
    public void Delete(UsageJournalSegment segment)
    {
        lock (_lock)
        {
            if (_sealed.Remove(segment))
            {
                File.Delete(segment.Path);
                _bytes -= segment.Bytes;
                if (segment.Records is not null)
                {
                    _keptBytes -= segment.Bytes;
                }
            }
        }
    }

    /// <summary>
    /// The records still in the journal (sealed and open segments) that <paramref name="match"/>, for reads that must
    /// see this instance's own records before they are shipped. A segment deleted meanwhile was shipped: the store
    /// has its records. One segment at a time is in memory, so a journal grown during an outage does not come in whole.
    /// </summary>
    public List<UsageRecord> ReadUnshipped(Func<UsageRecord, bool>? match = null)
    {
        List<string> paths;
        lock (_lock)
        {
            paths = [.. _sealed.Select(s => s.Path)];
            if (_open is not null)
            {
                paths.Add(PathOf(_openSequence));
            }
        }
        var records = new List<UsageRecord>();
        foreach (var path in paths)
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var bytes = new byte[file.Length];
                file.ReadExactly(bytes);
                // The open segment may end in a frame being written right now: Decode stops before it.
                records.AddRange(UsageJournalFrame.Decode(bytes, out _).Where(match ?? (_ => true)));
            }
            catch (FileNotFoundException)
            {
            }
        }
        return records;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _open?.Dispose();
            _open = null;
            _openRecords = null;
        }
        _ownership?.Dispose();
    }

    /// <summary>
    /// After a failed write: a full disk may have taken part of the frame. The segment is cut back to its last whole
    /// frame and stays open, so appends that keep failing (a full disk takes thousands a second) keep to this one file
    /// instead of opening a segment each. Only when it cannot be cut back is it sealed (reading stops at a torn frame,
    /// and would drop answered frames behind it; the segment's length counts its whole frames only), or deleted when
    /// it holds none: so while writes keep failing the journal creates at most one file.
    /// </summary>
    private void CutBackOpen()
    {
        try
        {
            _open!.SetLength(_openBytes);
            _open.Position = _openBytes;
            return;
        }
        catch (IOException)
        {
        }
        SealOpen();
    }

    private void DeleteOpen()
    {
        _open!.Dispose();
        _open = null;
        _openRecords = null;
        try
        {
            File.Delete(PathOf(_openSequence));
        }
        catch (IOException)
        {
            // Left behind empty: recovery deletes an empty segment.
        }
    }

    private void SealOpen()
    {
        if (_open is null)
        {
            return;
        }
        if (_openBytes == 0)
        {
            // Only failed writes went to it: no segment to ship.
            DeleteOpen();
            return;
        }
        _sealed.Add(new UsageJournalSegment(_openSequence, PathOf(_openSequence), _openBytes, _openRecords));
        _open.Dispose();
        _open = null;
        _openBytes = 0;
        _openRecords = null;
    }

    /// <summary>Takes the lock and recovers every segment, unless done already; false (and why in _openFailure) when the data disk refused.</summary>
    private bool TryOpen()
    {
        if (_ownership is not null)
        {
            return true;
        }
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            // NOTE: one process per journal: a second one would ship and delete segments the first is still writing.
            // The lock is the kernel's (flock on Unix), so it goes with a killed process.
            try
            {
                _ownership = new FileStream(System.IO.Path.Combine(Directory, "journal.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (!DataDiskFailure.Is(e))
            {
                throw new InvalidOperationException($"The usage journal {Directory} is in use by another process; give each instance its own Storage:DataDirectory", e);
            }
            foreach (var path in System.IO.Directory.GetFiles(Directory, "*" + Extension).Order(StringComparer.Ordinal))
            {
                Recover(path, _logger);
            }
            _nextSequence = _sealed.Count == 0 ? 1 : _sealed[^1].Sequence + 1;
            if (_openFailure is not null)
            {
                _logger.LogWarning("Opened the usage journal {Directory}: its data disk takes writes again", Directory);
                _openFailure = null;
            }
            return true;
        }
        catch (Exception e) when (DataDiskFailure.Is(e))
        {
            _ownership?.Dispose();
            _ownership = null;
            _sealed.Clear();
            _bytes = 0;
            _keptBytes = 0;
            if (_openFailure is null)
            {
                _logger.LogError(e, "Opening the usage journal {Directory} failed: its data disk refused; metered calls answer 503 until it opens", Directory);
            }
            _openFailure = e;
            return false;
        }
    }

    private void Recover(string path, ILogger logger)
    {
        if (!long.TryParse(System.IO.Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            logger.LogWarning("Ignoring {File} in the usage journal: not a segment name", path);
            return;
        }
        var bytes = File.ReadAllBytes(path);
        UsageJournalFrame.Decode(bytes, out var valid);
        if (valid < bytes.Length)
        {
            // A process killed mid-write leaves its last frame torn; that frame's call was not answered 2xx.
            logger.LogWarning("Dropped {Bytes} bytes of a torn frame at the end of usage journal segment {File}", bytes.Length - valid, path);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            file.SetLength(valid);
        }
        if (valid == 0)
        {
            File.Delete(path);
            return;
        }
        _sealed.Add(new UsageJournalSegment(sequence, path, valid));
        _bytes += valid;
    }

    private string PathOf(long sequence) =>
        System.IO.Path.Combine(Directory, sequence.ToString("D12", CultureInfo.InvariantCulture) + Extension);
}
