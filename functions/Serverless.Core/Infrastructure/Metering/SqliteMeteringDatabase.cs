using Microsoft.Data.Sqlite;

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
            cost TEXT NOT NULL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0
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

    /// <summary>
    /// Columns added since the first schema, each with the statement that adds it to a usage.db made before: CREATE
    /// TABLE IF NOT EXISTS leaves an existing table as it was, and its rows read the default.
    /// </summary>
    private static readonly (string Column, string Add)[] AddedColumns =
    [
        ("input_tokens", "ALTER TABLE usage ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0"),
        ("output_tokens", "ALTER TABLE usage ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0"),
    ];

    private readonly string _connectionString;
    private readonly Lock _creating = new();
    private volatile bool _created;

    /// <remarks>
    /// Nothing is written here: the file and its schema are made by the first <see cref="Open"/>, so a server started
    /// on a full or read-only disk starts, and the calls that need the database answer 503 until the disk takes writes.
    /// </remarks>
    public SqliteMeteringDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
    }

    public string Path { get; }

    /// <summary>
    /// An open connection with synchronous=FULL: in WAL mode that syncs the log on every commit, so a committed
    /// group survives power loss too (NORMAL would survive a process crash but could lose the last commits on
    /// power loss, and these are bills).
    /// </summary>
    public SqliteConnection Open()
    {
        if (!_created)
        {
            Create();
        }
        return OpenConnection();
    }

    private void Create()
    {
        lock (_creating)
        {
            if (_created)
            {
                return;
            }
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            using var connection = OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = Schema;
            command.ExecuteNonQuery();
            Migrate(connection);
            _created = true;
        }
    }

    /// <summary>
    /// Adds the columns a usage.db written by an earlier version lacks. Checked and added under one write lock
    /// (BEGIN IMMEDIATE), so two processes opening the same file cannot both add a column.
    /// </summary>
    private static void Migrate(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var columns = connection.CreateCommand())
        {
            columns.Transaction = transaction;
            columns.CommandText = "SELECT name FROM pragma_table_info('usage')";
            using var reader = columns.ExecuteReader();
            while (reader.Read())
            {
                existing.Add(reader.GetString(0));
            }
        }
        foreach (var (column, add) in AddedColumns)
        {
            if (!existing.Contains(column))
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = add;
                command.ExecuteNonQuery();
            }
        }
        transaction.Commit();
    }

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    internal static long ToMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    internal static DateTimeOffset FromMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
