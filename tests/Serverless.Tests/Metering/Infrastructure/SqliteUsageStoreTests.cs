using Microsoft.Data.Sqlite;
using Serverless.Core.Infrastructure.Metering;

namespace Serverless.Tests.Metering.Infrastructure;

/// <summary>The SQLite metering database syncs every commit: its usage records are bills.</summary>
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
