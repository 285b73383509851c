using Azure.Data.Tables;
using Microsoft.Data.Sqlite;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering.Infrastructure;

/// <summary>The same contract for both store families: SQLite (local) and Table storage (Azurite).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MeteringStoreTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serverless-stores-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Stores => new() { "sqlite", "table" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ReadAsync_CallerModelAndRange_ReturnsOnlyMatchingRecords(string kind)
    {
        var (usage, _) = Create(kind);
        var day = new DateTimeOffset(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);
        await usage.AppendAsync(
        [
            UsageRecords.Success("acme", "a", "in-1", day),
            UsageRecords.Success("acme", "a", "in-2", day.AddDays(1)),
            UsageRecords.Success("acme", "b", "other-model", day),
            UsageRecords.Success("globex", "a", "other-caller", day),
            UsageRecords.Success("acme", "a", "too-late", day.AddDays(5)),
        ]);

        var found = await usage.ReadAsync(new UsageQuery(day.AddHours(-1), day.AddDays(2), "acme", "a")).ToListAsync();

        Assert.Equal(["in-1", "in-2"], found.Select(r => r.RequestId).Order());
        var first = found.Single(r => r.RequestId == "in-1");
        Assert.Equal((0.01m, 1L, "CPUExecutionProvider", UsageOutcome.Success, day), (first.Cost, first.Version, first.ExecutionProvider, first.Outcome, first.Time));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AppendAsync_SameGroupWrittenTwice_LeavesOneCopyOfEachRecord(string kind)
    {
        var (usage, _) = Create(kind);
        var day = new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, 250).Select(i => UsageRecords.Success("bulk", "m", $"r{i}", day.AddSeconds(i))).ToList();

        await usage.AppendAsync(records);
        // A retried commit: the store sees the same group again.
        await usage.AppendAsync(records);

        Assert.Equal(250, (await usage.ReadAsync(new UsageQuery(day, day.AddDays(1), "bulk")).ToListAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AppendAsync_GroupTooBigForOneTableEntity_WritesAll(string kind)
    {
        var (usage, _) = Create(kind);
        var day = new DateTimeOffset(2025, 4, 2, 0, 0, 0, TimeSpan.Zero);
        // Long request ids make 2,000 records well over the 1 MiB a Table storage entity may hold.
        var records = Enumerable.Range(0, 2000).Select(i => UsageRecords.Success("big", "m", $"r{i}-{new string('x', 600)}", day.AddMilliseconds(i))).ToList();

        await usage.AppendAsync(records);

        var found = await usage.ReadAsync(new UsageQuery(day, day.AddDays(1), "big")).ToListAsync();
        Assert.Equal(records.Select(r => r.Id).Order(), found.Select(r => r.Id).Order());
        Assert.Equal(2000, await usage.CountBilledAsync("big", day, day.AddDays(1), QuotaMeasure.Calls));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CountBilledAsync_CallsOrRows_CountsOnlySuccesses(string kind)
    {
        var (usage, _) = Create(kind);
        var month = new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero);
        await usage.AppendAsync(
        [
            UsageRecords.Success("quota", "m", "a", month.AddDays(2), rows: 3),
            UsageRecords.Success("quota", "m", "b", month.AddDays(20), rows: 4),
            UsageRecords.Success("quota", "m", "rejected", month.AddDays(3)) with { Outcome = UsageOutcome.Rejected, Status = 429 },
            UsageRecords.Success("quota", "m", "last-month", month.AddDays(-1), rows: 100),
        ]);

        Assert.Equal(2, await usage.CountBilledAsync("quota", month, month.AddMonths(1), QuotaMeasure.Calls));
        Assert.Equal(7, await usage.CountBilledAsync("quota", month, month.AddMonths(1), QuotaMeasure.Rows));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CountBilledAsync_RangeEndingInsideAGroup_CountsOnlyRecordsInRange(string kind)
    {
        var (usage, _) = Create(kind);
        var day = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        await usage.AppendAsync(
        [
            UsageRecords.Success("partial", "m", "morning", day.AddHours(9), rows: 2),
            UsageRecords.Success("partial", "m", "noon", day.AddHours(12), rows: 3),
            UsageRecords.Success("partial", "m", "evening", day.AddHours(18), rows: 5),
        ]);

        Assert.Equal(2, await usage.CountBilledAsync("partial", day.AddHours(10), day.AddDays(1), QuotaMeasure.Calls));
        Assert.Equal(5, await usage.CountBilledAsync("partial", day, day.AddHours(13), QuotaMeasure.Rows));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AppendAsync_TextCalls_RoundTripTheirTokensAndCountThemForTheQuota(string kind)
    {
        var (usage, _) = Create(kind);
        var month = new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var embedded = UsageRecords.Success("tokens", "encoder", "embed", month.AddDays(1), rows: 3, inputTokens: 900);
        var generated = UsageRecords.Success("tokens", "decoder", "chat", month.AddDays(1).AddHours(1), inputTokens: 120, outputTokens: 480);
        var partial = UsageRecords.Success("tokens", "decoder", "left", month.AddDays(2), inputTokens: 20, outputTokens: 5) with { Status = 499 };
        var failed = UsageRecords.Success("tokens", "decoder", "failed", month.AddDays(2).AddHours(1), inputTokens: 7000) with { Outcome = UsageOutcome.Failure, Status = 500 };
        await usage.AppendAsync([embedded, generated, partial, failed]);

        var read = await usage.ReadAsync(new UsageQuery(month, month.AddMonths(1), "tokens")).ToListAsync();

        Assert.Equal([embedded, generated, partial, failed], read.OrderBy(r => r.Time));
        Assert.Equal(900 + 600 + 25, await usage.CountBilledAsync("tokens", month, month.AddMonths(1), QuotaMeasure.Tokens));
        // A range that ends inside the group: counted from its records.
        Assert.Equal(900, await usage.CountBilledAsync("tokens", month, month.AddDays(1).AddMinutes(30), QuotaMeasure.Tokens));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CallerStore_AddFindRevoke_RoundTrips(string kind)
    {
        var (_, callers) = Create(kind);
        var plan = new CallerPlan { RequestsPerSecond = 2.5, Burst = 5, MonthlyQuota = 1000, QuotaUnit = "rows" };
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        Assert.True(await callers.TryAddCallerAsync(new Caller("acme", plan, now)));
        Assert.False(await callers.TryAddCallerAsync(new Caller("acme", new CallerPlan(), now)));
        await callers.AddKeyAsync(new ApiKey("key_1", "acme", "hash-1", now));
        var revoked = await callers.RevokeKeyAsync("key_1", now.AddMinutes(1));

        Assert.Equal(plan, (await callers.FindCallerAsync("acme"))!.Plan);
        Assert.Equal(["acme"], (await callers.ListCallersAsync()).Select(c => c.Id));
        Assert.Equal(now.AddMinutes(1), revoked!.RevokedAt);
        Assert.True((await callers.FindKeyByHashAsync("hash-1"))!.IsRevoked);
        Assert.Null(await callers.FindKeyByHashAsync("hash-2"));
        Assert.Null(await callers.RevokeKeyAsync("key_unknown", now));
        Assert.Equal(["key_1"], (await callers.ListKeysAsync("acme")).Select(k => k.KeyId));
    }

    private (IUsageStore Usage, ICallerStore Callers) Create(string kind)
    {
        if (kind == "sqlite")
        {
            var database = new SqliteMeteringDatabase(Path.Combine(_directory, "usage.db"));
            return (new SqliteUsageStore(database), new SqliteCallerStore(database));
        }
        var tables = new MeteringTables(new TableServiceClient(azurite.ConnectionString), "store" + Guid.NewGuid().ToString("N")[..10]);
        return (new TableUsageStore(tables), new TableCallerStore(tables));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
