using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;
using Serverless.Testing;

namespace Serverless.Tests.Metering;

public sealed class UsageLedgerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serverless-ledger-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(0)] // no waiting: records arriving during a commit form the next group
    [InlineData(5)]
    public async Task AppendAsync_ManyConcurrentRecords_AllDurableInFewerTransactions(int flushIntervalMilliseconds)
    {
        // The first commit is held until every record has arrived: an idle ledger lets the first caller commit alone,
        // and the rest arrive while it is in flight, as they do from concurrent requests.
        var firstCommit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new CountingStore(new SqliteUsageStore(new SqliteMeteringDatabase(Path.Combine(_directory, "usage.db")))) { FirstCommitHeld = firstCommit.Task };
        var ledger = await StartAsync(store, flushIntervalMilliseconds);

        var appends = Enumerable.Range(0, 2000).Select(i => ledger.AppendAsync(UsageRecords.Success("acme", "m", $"r{i}"))).ToList();
        firstCommit.SetResult();
        await Task.WhenAll(appends);
        await ledger.StopAsync(CancellationToken.None);

        var stored = await store.ReadAsync(new UsageQuery(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddDays(1))).ToListAsync();
        Assert.Equal(2000, stored.Count);
        Assert.Equal(2000, store.Records);
        Assert.True(store.Flushes < 2000, $"{store.Flushes} transactions for 2000 records");
    }

    [Fact]
    public async Task StopAsync_ShutdownTimeRunsOutWhileARecordIsBeingWritten_ReturnsWithoutThrowing()
    {
        // An exception here was unhandled at the host's exit: the process crashed on a slow store at shutdown.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new CountingStore(new SqliteUsageStore(new SqliteMeteringDatabase(Path.Combine(_directory, "usage.db")))) { FirstCommitHeld = held.Task };
        var ledger = await StartAsync(store);
        var append = ledger.AppendAsync(UsageRecords.Success("acme", "m", "r1"));

        await ledger.StopAsync(new CancellationToken(canceled: true));

        Assert.False(append.IsCompleted);
        held.SetResult();
        await append;
    }

    [Fact]
    public async Task AppendAsync_StoreFails_ThrowsServiceUnavailable()
    {
        var ledger = await StartAsync(new FailingStore(failOnly: null));

        var error = await Assert.ThrowsAsync<UsageLedgerUnavailableException>(() => ledger.AppendAsync(UsageRecords.Success("acme", "m", "r1")));

        Assert.Equal(503, error.StatusCode);
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_DataDiskFull_ThrowsServiceUnavailableSayingSoWithoutThePath()
    {
        var ledger = await StartAsync(new DiskFullStore());

        var error = await Assert.ThrowsAsync<UsageLedgerUnavailableException>(() => ledger.AppendAsync(UsageRecords.Success("acme", "m", "r1")));

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(DataDiskFailure.RetryAfterSeconds, error.RetryAfterSeconds);
        Assert.Equal("the server's data disk is full: the usage record could not be written, so the call was not answered; retry later", error.Message);
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_PartOfGroupNotWritten_FailsOnlyThoseRecords()
    {
        var written = UsageRecords.Success("acme", "m", "written");
        var lost = UsageRecords.Success("globex", "m", "lost");
        var ledger = await StartAsync(new FailingStore(failOnly: lost.Id), flushIntervalMilliseconds: 200);

        var results = await Task.WhenAll(Outcome(ledger.AppendAsync(written)), Outcome(ledger.AppendAsync(lost)));

        Assert.Null(results[0]);
        Assert.IsType<UsageLedgerUnavailableException>(results[1]);
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_AfterStop_ThrowsServiceUnavailable()
    {
        var ledger = await StartAsync(new CountingStore(new FailingStore(failOnly: "none")));
        await ledger.StopAsync(CancellationToken.None);

        await Assert.ThrowsAsync<UsageLedgerUnavailableException>(() => ledger.AppendAsync(UsageRecords.Success("acme", "m", "late")));
    }

    [Fact]
    public async Task AppendAsync_StoreAllowsTwoGroupsInFlight_LaterGroupCommitsWhileEarlierIsPending()
    {
        // Groups of at most 2 records, so one waiting record is worth a second group (half a full one).
        var store = new HeldStore(maxConcurrentAppends: 2);
        var ledger = await StartAsync(store, flushIntervalMilliseconds: 0, maxBatchSize: 2);

        var first = ledger.AppendAsync(UsageRecords.Success("acme", "m", "first"));
        var firstGroup = await store.NextAsync();
        var second = ledger.AppendAsync(UsageRecords.Success("acme", "m", "second"));
        var secondGroup = await store.NextAsync();
        secondGroup.Commit();
        await second;

        Assert.False(first.IsCompleted, "a record must wait for its own group's commit");
        firstGroup.Commit();
        await first;
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_GroupInFlightAndFewRecordsWaiting_TheyWaitForThatCommitAndGoAsOneGroup()
    {
        var store = new HeldStore(maxConcurrentAppends: 2);
        var ledger = await StartAsync(store, flushIntervalMilliseconds: 0, maxBatchSize: 500);

        var first = ledger.AppendAsync(UsageRecords.Success("acme", "m", "first"));
        var firstGroup = await store.NextAsync();
        var waiting = Enumerable.Range(0, 3).Select(i => ledger.AppendAsync(UsageRecords.Success("acme", "m", $"waiting-{i}"))).ToList();
        firstGroup.Commit();
        await first;
        var second = await store.NextAsync();

        Assert.True(second.OthersInFlight == 0, "3 records started a second group beside the one in flight");
        Assert.Equal(3, second.Size);
        second.Commit();
        await Task.WhenAll(waiting);
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_StoreAllowsOneGroupInFlight_NextGroupWaitsForTheCommit()
    {
        var store = new HeldStore(maxConcurrentAppends: 1);
        var ledger = await StartAsync(store, flushIntervalMilliseconds: 0);

        var first = ledger.AppendAsync(UsageRecords.Success("acme", "m", "first"));
        var firstGroup = await store.NextAsync();
        var second = ledger.AppendAsync(UsageRecords.Success("acme", "m", "second"));
        firstGroup.Commit();
        await first;
        var nextGroup = await store.NextAsync();

        Assert.True(nextGroup.OthersInFlight == 0, "a second group started while the first was in flight");
        nextGroup.Commit();
        await second;
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_LedgerIdle_CommitsOnTheCallersThreadWithoutAHandOff()
    {
        var store = new ThreadRecordingStore();
        var ledger = await StartAsync(store, flushIntervalMilliseconds: 0);

        var caller = Environment.CurrentManagedThreadId;
        var append = ledger.AppendAsync(UsageRecords.Success("acme", "m", "alone"));

        // A synchronous store: the record was committed before AppendAsync returned, on this thread.
        Assert.True(append.IsCompletedSuccessfully);
        Assert.Equal([caller], store.CommitThreads);
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_AfterAGroupOfSeveral_IdleCallerGoesThroughTheWriterUntilCallsStopOverlapping()
    {
        var firstCommit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new ThreadRecordingStore { FirstCommitHeld = firstCommit.Task };
        var ledger = await StartAsync(store, flushIntervalMilliseconds: 0);

        // Calls overlap: one is being committed while two more arrive, and those two go as one group.
        var held = ledger.AppendAsync(UsageRecords.Success("acme", "m", "held"));
        var overlapping = new[] { ledger.AppendAsync(UsageRecords.Success("acme", "m", "a")), ledger.AppendAsync(UsageRecords.Success("acme", "m", "b")) };
        firstCommit.SetResult();
        await Task.WhenAll(overlapping.Append(held));
        // The next call finds the ledger idle but the last group was of two: it is grouped by the writer.
        await ledger.AppendAsync(UsageRecords.Success("acme", "m", "after-overlap"));
        // That group was of one: calls no longer overlap, and the next caller commits its own. The writer releases its
        // commit slot just after it answers the waiter, so the test waits for the ledger to be idle, as a call that does
        // not overlap finds it (without this the next call could still see the slot taken: 1 run in 15 under load).
        await Eventually.TrueAsync(() => ledger.IsIdle, "the writer finishing the group of one");
        var caller = Environment.CurrentManagedThreadId;
        await ledger.AppendAsync(UsageRecords.Success("acme", "m", "alone"));

        Assert.Equal([1, 2, 1, 1], store.GroupSizes);
        Assert.Equal("usage-ledger", store.CommitThreadNames[2]);
        Assert.Equal(caller, store.CommitThreads[3]);
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_FlushIntervalSet_CommitsOnTheWriterToCollectGroups()
    {
        var store = new ThreadRecordingStore();
        var ledger = await StartAsync(store, flushIntervalMilliseconds: 1);

        await ledger.AppendAsync(UsageRecords.Success("acme", "m", "grouped"));

        Assert.DoesNotContain(Environment.CurrentManagedThreadId, store.CommitThreads);
        Assert.Equal(["usage-ledger"], store.CommitThreadNames);
        await ledger.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StopAsync_GroupsInFlight_ReturnsOnlyOnceTheyAreCommitted()
    {
        var store = new HeldStore(maxConcurrentAppends: 4);
        var ledger = await StartAsync(store, flushIntervalMilliseconds: 0);
        var append = ledger.AppendAsync(UsageRecords.Success("acme", "m", "in-flight"));
        var group = await store.NextAsync();

        var stop = ledger.StopAsync(CancellationToken.None);
        // Read the moment stop completes, whenever that is: no waiting to see whether it does too early.
        var committedWhenStopped = stop.ContinueWith(_ => group.Committed.Task.IsCompleted, TaskContinuationOptions.ExecuteSynchronously);
        group.Commit();
        await append;
        await stop;

        Assert.True(await committedWhenStopped, "stopped with a group still being written");
    }

    private static async Task<Exception?> Outcome(Task append)
    {
        try
        {
            await append;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static async Task<UsageLedger> StartAsync(IUsageStore store, int flushIntervalMilliseconds = 5, int maxBatchSize = 500)
    {
        var options = Options.Create(new MeteringOptions { FlushIntervalMilliseconds = flushIntervalMilliseconds, MaxBatchSize = maxBatchSize });
        var ledger = new UsageLedger(store, options, UsageRecords.Metrics(), NullLogger<UsageLedger>.Instance);
        await ledger.StartAsync(CancellationToken.None);
        return ledger;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Counts group commits on the way to the real store.</summary>
    private sealed class CountingStore(IUsageStore inner) : IUsageStore
    {
        public int Flushes;
        public int Records;

        /// <summary>When set, the first commit waits for it.</summary>
        public Task? FirstCommitHeld { get; init; }

        public async Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
        {
            if (FirstCommitHeld is not null && Volatile.Read(ref Flushes) == 0)
            {
                await FirstCommitHeld;
            }
            await inner.AppendAsync(records, cancellationToken);
            Interlocked.Increment(ref Flushes);
            Interlocked.Add(ref Records, records.Count);
        }

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => inner.ReadAsync(query, cancellationToken);

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) =>
            inner.CountBilledAsync(callerId, from, to, measure, cancellationToken);
    }

    /// <summary>A store whose commits finish only when the test says so, allowing the given number at once.</summary>
    private sealed class HeldStore(int maxConcurrentAppends) : IUsageStore
    {
        private readonly System.Threading.Channels.Channel<HeldGroup> _started = System.Threading.Channels.Channel.CreateUnbounded<HeldGroup>();
        private int _inFlight;

        public int MaxConcurrentAppends => maxConcurrentAppends;

        public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
        {
            var group = new HeldGroup(records.Count, Interlocked.Increment(ref _inFlight) - 1, () => Interlocked.Decrement(ref _inFlight));
            _started.Writer.TryWrite(group);
            return group.Committed.Task;
        }

        /// <summary>The next group the ledger hands to the store.</summary>
        public async Task<HeldGroup> NextAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) => Task.FromResult(0L);
    }

    private sealed class HeldGroup(int size, int othersInFlight, Action committed)
    {
        public int Size { get; } = size;

        /// <summary>Groups the store was still writing when this one was handed to it.</summary>
        public int OthersInFlight { get; } = othersInFlight;

        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Commit()
        {
            committed();
            Committed.SetResult();
        }
    }

    /// <summary>Commits at once, remembering the thread of each commit.</summary>
    private sealed class ThreadRecordingStore : IUsageStore
    {
        private readonly List<(int Id, string? Name, int Size)> _commits = [];

        /// <summary>When set, the first commit completes with it.</summary>
        public Task? FirstCommitHeld { get; init; }

        public int[] CommitThreads { get { lock (_commits) { return _commits.Select(t => t.Id).ToArray(); } } }

        public string[] CommitThreadNames { get { lock (_commits) { return _commits.Select(t => t.Name ?? "").ToArray(); } } }

        public int[] GroupSizes { get { lock (_commits) { return _commits.Select(t => t.Size).ToArray(); } } }

        public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
        {
            lock (_commits)
            {
                _commits.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.Name, records.Count));
                return _commits.Count == 1 && FirstCommitHeld is not null ? FirstCommitHeld : Task.CompletedTask;
            }
        }

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) => Task.FromResult(0L);
    }

    /// <summary>The journal on a full disk: write() fails with ENOSPC, and .NET's message names the file.</summary>
    private sealed class DiskFullStore : IUsageStore
    {
        public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default) =>
            Task.FromException(new IOException("No space left on device : '/home/site/data/usage-journal/vm/000000000001.journal'",
                OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28));

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) => Task.FromResult(0L);
    }

    /// <summary>A store that loses everything, or (like one failed Table partition) only the record named.</summary>
    private sealed class FailingStore(string? failOnly) : IUsageStore
    {
        public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
        {
            var failed = records.Where(r => failOnly is null || r.Id == failOnly).Select(r => r.Id).ToHashSet();
            return failed.Count == 0 ? Task.CompletedTask : Task.FromException(new UsageStoreException("disk on fire", failed));
        }

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) => Task.FromResult(0L);
    }
}
