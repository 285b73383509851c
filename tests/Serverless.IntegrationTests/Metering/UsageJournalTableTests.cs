using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>The Table store behind the local usage journal (Metering:Durability process), against Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class UsageJournalTableTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _prefix = "journal" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<string> _directories = [];

    [Fact]
    public async Task ShipAsync_SegmentShippedAgainAfterACrashBeforeItsDelete_CountsEachRecordOnce()
    {
        var day = new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, 300).Select(i => UsageRecords.Success(i % 2 == 0 ? "acme" : "globex", "m", $"r{i}", day.AddSeconds(i))).ToList();
        var journalDirectory = NewDirectory();
        using (var journal = new UsageJournal(journalDirectory, 64 * 1024 * 1024, NullLogger<UsageJournal>.Instance))
        {
            journal.Append(records[..100]);
            journal.Append(records[100..]);
        }
        // The journal as a process left it that had written the table but died before deleting the segment.
        var crashedCopy = NewDirectory();
        Directory.CreateDirectory(crashedCopy);
        foreach (var file in Directory.GetFiles(journalDirectory, "*.journal"))
        {
            File.Copy(file, Path.Combine(crashedCopy, Path.GetFileName(file)));
        }
        var table = new TableUsageStore(Tables());

        await ShipAsync(journalDirectory, table);
        await ShipAsync(crashedCopy, table);

        Assert.Equal(150, await table.CountBilledAsync("acme", day, day.AddDays(1), QuotaMeasure.Calls));
        Assert.Equal(150, await table.CountBilledAsync("globex", day, day.AddDays(1), QuotaMeasure.Calls));
        var stored = await table.ReadAsync(new UsageQuery(day, day.AddDays(1))).ToListAsync();
        Assert.Equal(records.Select(r => r.Id).Order(), stored.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task Infer_TableStoreWithJournal_RecordReachesTheTableWithinTheCommitLag()
    {
        await using var host = await StartAsync(NewDirectory(), ("Metering:MaxCommitLagMilliseconds", "200"));

        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", "shipped-behind", key: null));

        // The table is read directly, not through the app (whose reports also read its journal).
        var table = new TableUsageStore(Tables());
        await Eventually.TrueAsync(() => HasRecordAsync(table, "shipped-behind"), "the record reaching Table storage", interval: TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task Start_JournalLeftByACrashedRun_ShipsItBeforeServing()
    {
        var dataDirectory = NewDirectory();
        var leftover = Enumerable.Range(0, 5).Select(i => UsageRecords.Success("anonymous", "linear-regressor", $"left-{i}")).ToList();
        using (var journal = new UsageJournal(UsageJournal.DirectoryFor(dataDirectory), 64 * 1024 * 1024, NullLogger<UsageJournal>.Instance))
        {
            journal.Append(leftover);
        }

        // A lag of a minute: only the start-up ship can have moved them by the time the app serves.
        await using var host = await StartAsync(dataDirectory, ("Metering:MaxCommitLagMilliseconds", "60000"));

        var table = new TableUsageStore(Tables());
        foreach (var record in leftover)
        {
            Assert.True(await HasRecordAsync(table, record.RequestId), $"{record.RequestId} was not shipped before the app served");
        }
        Assert.Empty(Directory.GetFiles(UsageJournal.DirectoryFor(dataDirectory), "*.journal"));
    }

    [Fact]
    public async Task Stop_Graceful_ShipsEverythingAndLeavesAnEmptyJournal()
    {
        var dataDirectory = NewDirectory();
        var ids = Enumerable.Range(0, 40).Select(i => $"before-stop-{i}").ToList();
        await using (var host = await StartAsync(dataDirectory, ("Metering:MaxCommitLagMilliseconds", "60000")))
        {
            foreach (var id in ids)
            {
                Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", id, key: null));
            }
        }

        var table = new TableUsageStore(Tables());
        var stored = await table.ReadAsync(new UsageQuery(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1))).Select(r => r.RequestId).ToListAsync();
        Assert.Equal(ids.Order(), stored.Order());
        Assert.Empty(Directory.GetFiles(UsageJournal.DirectoryFor(dataDirectory), "*.journal"));
    }

    [Fact]
    public async Task Infer_MonthlyQuotaUnderConcurrency_AdmitsExactlyTheQuotaAndTheNextInstanceSeedsFromIt()
    {
        const int quota = 40;
        string key;
        HttpStatusCode[] statuses;
        // A lag of a minute: the records reach the table only through the shutdown's ship.
        await using (var first = await StartAsync(NewDirectory(), ("Metering:RequireKey", "true"), ("Metering:MaxCommitLagMilliseconds", "60000")))
        {
            key = await MeteredApi.CreateCallerWithKeyAsync(first.Client, "capped", new { monthly_quota = quota });
            statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => MeteredApi.InferAsync(first.Client, "linear-regressor", $"q{i}", key)));
        }
        // Another instance (its own data folder) on the same tables.
        await using var second = await StartAsync(NewDirectory(), ("Metering:RequireKey", "true"));

        Assert.Equal(quota, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(100 - quota, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, await MeteredApi.InferAsync(second.Client, "linear-regressor", "over", key));
    }

    private static async Task ShipAsync(string directory, IUsageStore table)
    {
        using var journal = new UsageJournal(directory, 64 * 1024 * 1024, NullLogger<UsageJournal>.Instance);
        using var shipper = new UsageJournalShipper(journal, table, Options.Create(new MeteringOptions()), TimeProvider.System, NullLogger<UsageJournalShipper>.Instance);
        await shipper.ShipAsync();
    }

    private Task<ServerlessHost> StartAsync(string dataDirectory, params (string Key, string Value)[] settings) =>
        ServerlessHost.StartAsync(dataDirectory, MeteredApi.Settings(
        [
            ("Metering:Store", "table"),
            ("AzureWebJobsStorage", azurite.ConnectionString),
            ("Metering:TablePrefix", _prefix),
            .. settings,
        ]));

    private static async Task<bool> HasRecordAsync(TableUsageStore table, string requestId) =>
        await table.ReadAsync(new UsageQuery(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1))).AnyAsync(r => r.RequestId == requestId);

    private MeteringTables Tables() => new(new TableServiceClient(azurite.ConnectionString), _prefix);

    private string NewDirectory()
    {
        var directory = ServerlessHost.NewDataDirectory();
        _directories.Add(directory);
        return directory;
    }

    public void Dispose()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
