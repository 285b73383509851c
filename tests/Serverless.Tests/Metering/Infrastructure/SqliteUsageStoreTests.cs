using Microsoft.Data.Sqlite;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;

namespace Serverless.Tests.Metering.Infrastructure;

/// <summary>The SQLite metering database syncs every commit (its usage records are bills) and keeps the tokens of text calls.</summary>
public sealed class SqliteUsageStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serverless-sqlite-durability-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Open_AnyConnection_SyncsEveryCommit()
    {
        var database = new SqliteMeteringDatabase(Path.Combine(_directory, "usage.db"));

        using var connection = database.Open();

        Assert.Equal(2L, Synchronous(connection)); // FULL: an fsync per commit
    }

    [Fact]
    public async Task AppendAsync_TextCalls_ReadsBackAndCountsTheirTokens()
    {
        var store = new SqliteUsageStore(new SqliteMeteringDatabase(Path.Combine(_directory, "usage.db")));
        var month = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var embedded = UsageRecords.Success("acme", "encoder", "e", month.AddDays(1), inputTokens: 700);
        var generated = UsageRecords.Success("acme", "decoder", "g", month.AddDays(2), inputTokens: 100, outputTokens: 250);
        var failed = UsageRecords.Success("acme", "decoder", "f", month.AddDays(2), inputTokens: 5000) with { Outcome = UsageOutcome.Failure, Status = 500 };

        await store.AppendAsync([embedded, generated, failed]);

        var read = await store.ReadAsync(new UsageQuery(month, month.AddMonths(1), "acme")).ToListAsync();
        Assert.Equal([embedded, failed, generated], read.OrderBy(r => r.RequestId));
        Assert.Equal(1050, await store.CountBilledAsync("acme", month, month.AddMonths(1), QuotaMeasure.Tokens));
        store.Dispose();
    }

    [Fact]
    public async Task Open_UsageDbFromBeforeTokens_AddsTheColumnsAndKeepsItsRecords()
    {
        var path = Path.Combine(_directory, "usage.db");
        Directory.CreateDirectory(_directory);
        // The usage table as the first schema made it, with one record.
        using (var old = new SqliteConnection($"Data Source={path}"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE usage (id TEXT PRIMARY KEY, request_id TEXT NOT NULL, caller_id TEXT NOT NULL, key_id TEXT, model TEXT NOT NULL,
                    version INTEGER NOT NULL, time_ms INTEGER NOT NULL, rows INTEGER NOT NULL, input_bytes INTEGER NOT NULL,
                    compute_seconds REAL NOT NULL, execution_provider TEXT NOT NULL, status INTEGER NOT NULL, outcome TEXT NOT NULL,
                    cost TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO usage VALUES ('old', 'r-old', 'acme', NULL, 'm', 1, 1767225600000, 3, 10, 0.5, 'CPUExecutionProvider', 200, 'Success', '0.02');
                """;
            create.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        var store = new SqliteUsageStore(new SqliteMeteringDatabase(path));
        var text = UsageRecords.Success("acme", "encoder", "new", DateTimeOffset.FromUnixTimeMilliseconds(1767225700000), inputTokens: 42);

        await store.AppendAsync([text]);

        var read = await store.ReadAsync(new UsageQuery(DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue)).ToListAsync();
        Assert.Equal([("r-old", 3L, 0L, 0L), ("new", 1L, 42L, 0L)], read.Select(r => (r.RequestId, r.Rows, r.InputTokens, r.OutputTokens)));
        store.Dispose();
        // A second open finds the columns there and changes nothing.
        SqliteConnection.ClearAllPools();
        Assert.Equal(2, (await new SqliteUsageStore(new SqliteMeteringDatabase(path)).ReadAsync(new UsageQuery(DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue)).ToListAsync()).Count);
    }

    private static long Synchronous(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        return (long)command.ExecuteScalar()!;
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
