using Microsoft.Data.Sqlite;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>Callers and hashed keys in the local metering database.</summary>
public sealed class SqliteCallerStore(SqliteMeteringDatabase database) : ICallerStore
{
    private const int UniqueConstraintFailed = 19; // SQLITE_CONSTRAINT

    public async Task<bool> TryAddCallerAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO callers (id, plan, created_ms) VALUES (@id, @plan, @created)";
        command.Parameters.AddWithValue("@id", caller.Id);
        command.Parameters.AddWithValue("@plan", MeteringJson.Write(caller.Plan));
        command.Parameters.AddWithValue("@created", SqliteMeteringDatabase.ToMilliseconds(caller.CreatedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == UniqueConstraintFailed)
        {
            return false;
        }
    }

    public async Task<Caller?> FindCallerAsync(string callerId, CancellationToken cancellationToken = default) =>
        (await QueryCallersAsync("WHERE id = @id", callerId, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<Caller>> ListCallersAsync(CancellationToken cancellationToken = default) =>
        QueryCallersAsync("ORDER BY id", null, cancellationToken);

    public async Task AddKeyAsync(ApiKey key, CancellationToken cancellationToken = default)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO api_keys (key_id, caller_id, secret_hash, created_ms) VALUES (@key_id, @caller_id, @hash, @created)";
        command.Parameters.AddWithValue("@key_id", key.KeyId);
        command.Parameters.AddWithValue("@caller_id", key.CallerId);
        command.Parameters.AddWithValue("@hash", key.SecretHash);
        command.Parameters.AddWithValue("@created", SqliteMeteringDatabase.ToMilliseconds(key.CreatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ApiKey?> FindKeyByHashAsync(string secretHash, CancellationToken cancellationToken = default) =>
        (await QueryKeysAsync("secret_hash = @value", secretHash, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(string callerId, CancellationToken cancellationToken = default) =>
        QueryKeysAsync("caller_id = @value", callerId, cancellationToken);

    public async Task<ApiKey?> RevokeKeyAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        await using (var connection = database.Open())
        await using (var command = connection.CreateCommand())
        {
            // A key revoked twice keeps its first revocation time.
            command.CommandText = "UPDATE api_keys SET revoked_ms = COALESCE(revoked_ms, @revoked) WHERE key_id = @key_id";
            command.Parameters.AddWithValue("@revoked", SqliteMeteringDatabase.ToMilliseconds(revokedAt));
            command.Parameters.AddWithValue("@key_id", keyId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return (await QueryKeysAsync("key_id = @value", keyId, cancellationToken)).SingleOrDefault();
    }

    private async Task<IReadOnlyList<Caller>> QueryCallersAsync(string clause, string? id, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, plan, created_ms FROM callers {clause}";
        if (id is not null)
        {
            command.Parameters.AddWithValue("@id", id);
        }
        var callers = new List<Caller>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            callers.Add(new Caller(reader.GetString(0), MeteringJson.ReadPlan(reader.GetString(1)), SqliteMeteringDatabase.FromMilliseconds(reader.GetInt64(2))));
        }
        return callers;
    }

    private async Task<IReadOnlyList<ApiKey>> QueryKeysAsync(string condition, string value, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT key_id, caller_id, secret_hash, created_ms, revoked_ms FROM api_keys WHERE {condition} ORDER BY created_ms";
        command.Parameters.AddWithValue("@value", value);
        var keys = new List<ApiKey>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new ApiKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), SqliteMeteringDatabase.FromMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : SqliteMeteringDatabase.FromMilliseconds(reader.GetInt64(4))));
        }
        return keys;
    }
}
