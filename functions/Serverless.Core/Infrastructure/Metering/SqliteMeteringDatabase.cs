using Microsoft.Data.Sqlite;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>
/// The local metering database (&lt;Storage:DataDirectory&gt;/usage.db): usage records, callers and hashed keys.
/// WAL lets usage reports read while the ledger writes.
/// </summary>
public sealed class SqliteMeteringDatabase
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS usage (
            id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL,
            caller_id TEXT NOT NULL,
            key_id TEXT,
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            input_bytes INTEGER NOT NULL,
            compute_seconds REAL NOT NULL,
            execution_provider TEXT NOT NULL,
            status INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            cost TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS usage_by_caller_time ON usage (caller_id, time_ms);
        CREATE INDEX IF NOT EXISTS usage_by_time ON usage (time_ms);
        CREATE TABLE IF NOT EXISTS callers (
            id TEXT PRIMARY KEY,
            plan TEXT NOT NULL,
            created_ms INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS api_keys (
            key_id TEXT PRIMARY KEY,
            caller_id TEXT NOT NULL,
            secret_hash TEXT NOT NULL UNIQUE,
            created_ms INTEGER NOT NULL,
            revoked_ms INTEGER
        );
        """;

    private readonly string _connectionString;

    /// <param name="durability">How the usage writer commits (see <see cref="OpenWriter"/>); other connections always sync.</param>
    /// <param name="maxCommitLag">With <see cref="MeteringDurability.Process"/>: longest a committed usage record may stay unsynced.</param>
    public SqliteMeteringDatabase(string path, MeteringDurability durability = MeteringDurability.Strict, TimeSpan? maxCommitLag = null)
    {
        Path = path;
        Durability = durability;
        MaxCommitLag = maxCommitLag ?? TimeSpan.FromSeconds(1);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
    }

    public string Path { get; }

    public MeteringDurability Durability { get; }

    public TimeSpan MaxCommitLag { get; }

    /// <summary>
    /// An open connection with synchronous=FULL: in WAL mode that syncs the log on every commit, so a committed
    /// group survives power loss too (NORMAL would survive a process crash but could lose the last commits on
    /// power loss, and these are bills).
    /// </summary>
    public SqliteConnection Open() => Open(full: true);

    /// <summary>
    /// The usage writer's connection. Strict: synchronous=FULL, as <see cref="Open()"/>. Process: synchronous=NORMAL,
    /// so a commit is a write into the WAL and no fsync: the OS holds it, and a killed process loses nothing (the WAL is
    /// replayed when the database is next opened); the WAL is synced behind by <see cref="SqliteUsageStore"/>.
    /// </summary>
    public SqliteConnection OpenWriter() => Open(full: Durability == MeteringDurability.Strict);

    private SqliteConnection Open(bool full)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = full ? "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;" : "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";
        command.ExecuteNonQuery();
        return connection;
    }

    internal static long ToMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    internal static DateTimeOffset FromMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
