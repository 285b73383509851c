using System.Globalization;
using Microsoft.Data.Sqlite;
using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>
/// Job state in an embedded SQLite database (embedded mode: no storage account). Updates are optimistic like the
/// Table store's: a version column stands in for the ETag.
/// </summary>
public sealed class SqliteJobStore(string path) : IJobStore
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var _ = await OpenAsync(cancellationToken);
    }

    /// <summary>
    /// The tables, made on the first connection rather than only at start: a start on a full or read-only disk cannot make
    /// them, and every later call would then fail with "no such table" (a 500) instead of the disk's own refusal (a 503).
    /// </summary>
    private async Task EnsureSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await _schemaGate.WaitAsync(cancellationToken);
        try
        {
            if (!_schemaReady)
            {
                await CreateSchemaAsync(connection, cancellationToken);
                _schemaReady = true;
            }
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    private static async Task CreateSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL, caller TEXT);
            CREATE INDEX IF NOT EXISTS jobs_created_at ON jobs (created_at);
            CREATE TABLE IF NOT EXISTS job_shards (job_id TEXT NOT NULL, shard INTEGER NOT NULL, result TEXT NOT NULL, PRIMARY KEY (job_id, shard));
            """, cancellationToken);
        // Databases from before jobs were listed per caller: add the column and fill it from the records.
        if (await ScalarAsync(connection, "SELECT COUNT(*) FROM pragma_table_info('jobs') WHERE name = 'caller'", cancellationToken) == 0)
        {
            await ExecuteAsync(connection, """
                ALTER TABLE jobs ADD COLUMN caller TEXT;
                UPDATE jobs SET caller = coalesce(json_extract(record, '$.request.caller'), 'anonymous');
                """, cancellationToken);
        }
        await ExecuteAsync(connection, "CREATE INDEX IF NOT EXISTS jobs_caller_created_at ON jobs (caller, created_at)", cancellationToken);
    }

    public async Task<bool> TryCreateAsync(JobRecord job, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var inserted = await ExecuteAsync(connection,
            "INSERT OR IGNORE INTO jobs (id, created_at, version, record, caller) VALUES ($id, $created, 1, $record, $caller)", cancellationToken,
            ("$id", job.Id), ("$created", job.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), ("$record", JobRecordJson.Serialize(job)),
            ("$caller", job.Request.Owner));
        return inserted == 1;
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAsync(connection, id, cancellationToken);
    }

    public async Task<JobUpdate> UpdateAsync(string id, Func<JobRecord, JobRecord?> change, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        while (true)
        {
            var current = await ReadAsync(connection, id, cancellationToken) ?? throw new JobNotFoundException(id);
            if (change(current) is not { } changed)
            {
                return new JobUpdate(current, false);
            }
            var version = long.Parse(current.ConcurrencyToken!, CultureInfo.InvariantCulture);
            var updated = await ExecuteAsync(connection, "UPDATE jobs SET record = $record, version = version + 1 WHERE id = $id AND version = $version",
                cancellationToken, ("$record", JobRecordJson.Serialize(changed)), ("$id", id), ("$version", version));
            if (updated == 1)
            {
                return new JobUpdate(changed with { ConcurrencyToken = (version + 1).ToString(CultureInfo.InvariantCulture) }, true);
            }
            // Another writer got there first: read its version and apply the change again.
        }
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(int max, string? caller, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = caller is null
            ? "SELECT record, version FROM jobs ORDER BY created_at DESC LIMIT $max"
            : "SELECT record, version FROM jobs WHERE caller = $caller ORDER BY created_at DESC LIMIT $max";
        command.Parameters.AddWithValue("$max", max);
        if (caller is not null)
        {
            command.Parameters.AddWithValue("$caller", caller);
        }
        var jobs = new List<JobRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(JobRecordJson.Deserialize(reader.GetString(0), reader.GetInt64(1).ToString(CultureInfo.InvariantCulture)));
        }
        return jobs;
    }

    public async Task SaveShardAsync(ShardResult result, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "INSERT OR REPLACE INTO job_shards (job_id, shard, result) VALUES ($job, $shard, $result)", cancellationToken,
            ("$job", result.JobId), ("$shard", result.Shard), ("$result", JobRecordJson.Serialize(result)));
    }

    public async Task<IReadOnlyList<ShardResult>> ListShardsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT result FROM job_shards WHERE job_id = $job ORDER BY shard";
        command.Parameters.AddWithValue("$job", jobId);
        var shards = new List<ShardResult>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            shards.Add(JobRecordJson.DeserializeShard(reader.GetString(0)));
        }
        return shards;
    }

    public async Task<int> CountAsync(string caller, int atMost, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Counting stops at the limit: a caller at the cap costs the same to refuse however many rows it has.
        command.CommandText = "SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE caller = $caller LIMIT $max)";
        command.Parameters.AddWithValue("$caller", caller);
        command.Parameters.AddWithValue("$max", atMost);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // A job completed before the cutoff was created before it too: the created_at index narrows the scan, and the
        // record (the one place its state lives) decides.
        var expired = new List<(string Id, long Version)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT record, version FROM jobs WHERE created_at < $cutoff";
            command.Parameters.AddWithValue("$cutoff", cutoff.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var job = JobRecordJson.Deserialize(reader.GetString(0), "");
                if (JobRetention.IsExpired(job, cutoff))
                {
                    expired.Add((job.Id, reader.GetInt64(1)));
                }
            }
        }
        var deleted = 0;
        foreach (var (id, version) in expired)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // The version guard keeps a record that changed since it was read.
            var rows = await ExecuteAsync(connection, "DELETE FROM jobs WHERE id = $id AND version = $version", cancellationToken, ("$id", id), ("$version", version));
            if (rows == 1)
            {
                await ExecuteAsync(connection, "DELETE FROM job_shards WHERE job_id = $id", cancellationToken, ("$id", id));
                deleted++;
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return deleted;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!_schemaReady)
            {
                await EnsureSchemaAsync(connection, cancellationToken);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<JobRecord?> ReadAsync(SqliteConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT record, version FROM jobs WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? JobRecordJson.Deserialize(reader.GetString(0), reader.GetInt64(1).ToString(CultureInfo.InvariantCulture))
            : null;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
