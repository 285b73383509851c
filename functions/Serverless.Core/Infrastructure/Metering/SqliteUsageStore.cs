using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>Usage records in SQLite: one transaction per group commit, on one connection kept by the single ledger writer.</summary>
public sealed class SqliteUsageStore(SqliteMeteringDatabase database) : IUsageStore, IDisposable
{
    private const string Columns = "id, request_id, caller_id, key_id, model, version, time_ms, rows, input_bytes, compute_seconds, execution_provider, status, outcome, cost";

    // NOTE: only the ledger's single writer calls AppendAsync, so this connection and its prepared statement are
    // never used concurrently.
    private SqliteConnection? _writer;
    private SqliteCommand? _insert;
    private SqliteParameterCollection _values = null!;

    public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        // Synchronous on purpose: Microsoft.Data.Sqlite's async methods run synchronously anyway, and this runs on
        // the ledger's own writer loop. One prepared single-row INSERT, bound by position: multi-row statements
        // were slower, because binding by name searches every parameter of the statement.
        try
        {
            var insert = Insert();
            using var transaction = _writer!.BeginTransaction();
            insert.Transaction = transaction;
            foreach (var r in records)
            {
                _values[0].Value = r.Id;
                _values[1].Value = r.RequestId;
                _values[2].Value = r.CallerId;
                _values[3].Value = (object?)r.KeyId ?? DBNull.Value;
                _values[4].Value = r.Model;
                _values[5].Value = r.Version;
                _values[6].Value = SqliteMeteringDatabase.ToMilliseconds(r.Time);
                _values[7].Value = r.Rows;
                _values[8].Value = r.InputBytes;
                _values[9].Value = r.ComputeSeconds;
                _values[10].Value = r.ExecutionProvider;
                _values[11].Value = r.Status;
                _values[12].Value = r.Outcome.ToString();
                _values[13].Value = r.Cost.ToString(CultureInfo.InvariantCulture);
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
            return Task.CompletedTask;
        }
        catch (SqliteException e)
        {
            // The transaction rolled back: none of the group is written. A fresh connection next time.
            DisposeWriter();
            return Task.FromException(new UsageStoreException($"SQLite {database.Path}: {e.Message}", records.Select(r => r.Id).ToHashSet(), e));
        }
    }

    /// <summary>OR REPLACE, so a group written twice (a retried commit) leaves one row per record.</summary>
    private SqliteCommand Insert()
    {
        if (_insert is null)
        {
            _writer = database.Open();
            _insert = _writer.CreateCommand();
            var columns = Columns.Split(", ");
            _insert.CommandText = $"INSERT OR REPLACE INTO usage ({Columns}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})";
            foreach (var column in columns)
            {
                _insert.Parameters.Add(new SqliteParameter("@" + column, null));
            }
            _values = _insert.Parameters;
            _insert.Prepare();
        }
        return _insert;
    }

    private void DisposeWriter()
    {
        _insert?.Dispose();
        _insert = null;
        _writer?.Dispose();
        _writer = null;
    }

    public async IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM usage WHERE {Where(command, query.CallerId, query.Model, query.From, query.To)} ORDER BY time_ms, id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new UsageRecord
            {
                Id = reader.GetString(0),
                RequestId = reader.GetString(1),
                CallerId = reader.GetString(2),
                KeyId = reader.IsDBNull(3) ? null : reader.GetString(3),
                Model = reader.GetString(4),
                Version = reader.GetInt64(5),
                Time = SqliteMeteringDatabase.FromMilliseconds(reader.GetInt64(6)),
                Rows = reader.GetInt64(7),
                InputBytes = reader.GetInt64(8),
                ComputeSeconds = reader.GetDouble(9),
                ExecutionProvider = reader.GetString(10),
                Status = reader.GetInt32(11),
                Outcome = Enum.Parse<UsageOutcome>(reader.GetString(12)),
                Cost = decimal.Parse(reader.GetString(13), CultureInfo.InvariantCulture),
            };
        }
    }

    public async Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, bool rows, CancellationToken cancellationToken = default)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {(rows ? "COALESCE(SUM(rows), 0)" : "COUNT(*)")} FROM usage WHERE {Where(command, callerId, null, from, to)} AND outcome = 'Success'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static string Where(SqliteCommand command, string? callerId, string? model, DateTimeOffset from, DateTimeOffset to)
    {
        var clauses = new List<string> { "time_ms >= @from", "time_ms < @to" };
        command.Parameters.AddWithValue("@from", SqliteMeteringDatabase.ToMilliseconds(from));
        command.Parameters.AddWithValue("@to", SqliteMeteringDatabase.ToMilliseconds(to));
        if (callerId is not null)
        {
            clauses.Add("caller_id = @caller_id");
            command.Parameters.AddWithValue("@caller_id", callerId);
        }
        if (model is not null)
        {
            clauses.Add("model = @model");
            command.Parameters.AddWithValue("@model", model);
        }
        return string.Join(" AND ", clauses);
    }

    public void Dispose() => DisposeWriter();
}
