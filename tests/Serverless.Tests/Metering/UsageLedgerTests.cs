using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;

namespace Serverless.Tests.Metering;

public sealed class UsageLedgerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serverless-ledger-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(0)] // no waiting: records arriving during a commit form the next group
    [InlineData(5)]
    public async Task AppendAsync_ManyConcurrentRecords_AllDurableInFewerTransactions(int flushIntervalMilliseconds)
    {
        var store = new CountingStore(new SqliteUsageStore(new SqliteMeteringDatabase(Path.Combine(_directory, "usage.db"))));
        var ledger = await StartAsync(store, flushIntervalMilliseconds);

        await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => ledger.AppendAsync(UsageRecords.Success("acme", "m", $"r{i}"))));
        await ledger.StopAsync(CancellationToken.None);

        var stored = await store.ReadAsync(new UsageQuery(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddDays(1))).ToListAsync();
        Assert.Equal(2000, stored.Count);
        Assert.Equal(2000, store.Records);
        Assert.True(store.Flushes < 2000, $"{store.Flushes} transactions for 2000 records");
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

    private static async Task<UsageLedger> StartAsync(IUsageStore store, int flushIntervalMilliseconds = 5)
    {
        var options = Options.Create(new MeteringOptions { FlushIntervalMilliseconds = flushIntervalMilliseconds, MaxBatchSize = 500 });
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

        public async Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
        {
            await inner.AppendAsync(records, cancellationToken);
            Interlocked.Increment(ref Flushes);
            Interlocked.Add(ref Records, records.Count);
        }

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => inner.ReadAsync(query, cancellationToken);

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, bool rows, CancellationToken cancellationToken = default) =>
            inner.CountBilledAsync(callerId, from, to, rows, cancellationToken);
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

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, bool rows, CancellationToken cancellationToken = default) => Task.FromResult(0L);
    }
}
