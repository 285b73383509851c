using Microsoft.Data.Sqlite;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;

namespace Serverless.Tests.Metering.Infrastructure;

/// <summary>Metering:Durability on the SQLite store: what each mode syncs, and that a graceful stop syncs the rest.</summary>
public sealed class SqliteUsageStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serverless-sqlite-durability-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(MeteringDurability.Process, 1L)] // NORMAL: a commit is handed to the OS, no fsync
    [InlineData(MeteringDurability.Strict, 2L)] // FULL: an fsync per commit
    public void OpenWriter_Durability_SetsSynchronousLevel(MeteringDurability durability, long expected)
    {
        var database = new SqliteMeteringDatabase(Path.Combine(_directory, "usage.db"), durability);

        using var writer = database.OpenWriter();

        Assert.Equal(expected, Synchronous(writer));
        using var other = database.Open();
        Assert.Equal(2L, Synchronous(other));
    }

    [Fact]
    public async Task Dispose_ProcessDurabilityWithUnsyncedCommits_CheckpointsThemIntoTheDatabaseFile()
    {
        var path = Path.Combine(_directory, "usage.db");
        // A lag far longer than the test: only Dispose can have synced the commit.
        var database = new SqliteMeteringDatabase(path, MeteringDurability.Process, TimeSpan.FromMinutes(10));
        var store = new SqliteUsageStore(database);
        var schemaOnly = new FileInfo(path).Length;
        var day = new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero);
        await store.AppendAsync(Enumerable.Range(0, 50).Select(i => UsageRecords.Success("acme", "m", $"r{i}", day)).ToList());

        store.Dispose();

        // Until a checkpoint the commit lives in the WAL only (50 records are far below SQLite's automatic one at
        // 1,000 pages); a checkpoint syncs the WAL, then copies its pages into the database file.
        Assert.True(new FileInfo(path).Length > schemaOnly, $"usage.db still {schemaOnly} bytes: the commit was not checkpointed");
        Assert.Equal(50, (await new SqliteUsageStore(database).ReadAsync(new UsageQuery(day, day.AddDays(1), "acme")).ToListAsync()).Count);
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
