using Azure;
using Azure.Data.Tables;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>
/// Callers and hashed keys in Table storage. Keys are stored under their secret hash (one partition), so
/// authentication is a point read; revoking by key id is a query, which is rare.
/// </summary>
public sealed class TableCallerStore(MeteringTables tables) : ICallerStore
{
    private const string CallerPartition = "caller";
    private const string KeyPartition = "key";

    public async Task<bool> TryAddCallerAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        try
        {
            await tables.Callers.AddEntityAsync(new TableEntity(CallerPartition, caller.Id)
            {
                ["Plan"] = MeteringJson.Write(caller.Plan),
                ["CreatedAt"] = caller.CreatedAt,
            }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<Caller?> FindCallerAsync(string callerId, CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        var entity = await tables.Callers.GetEntityIfExistsAsync<TableEntity>(CallerPartition, callerId, cancellationToken: cancellationToken);
        return entity.HasValue ? ToCaller(entity.Value!) : null;
    }

    public async Task<IReadOnlyList<Caller>> ListCallersAsync(CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        var callers = new List<Caller>();
        await foreach (var entity in tables.Callers.QueryAsync<TableEntity>(e => e.PartitionKey == CallerPartition, cancellationToken: cancellationToken))
        {
            callers.Add(ToCaller(entity));
        }
        return callers;
    }

    public async Task AddKeyAsync(ApiKey key, CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        await tables.Keys.AddEntityAsync(new TableEntity(KeyPartition, key.SecretHash)
        {
            ["KeyId"] = key.KeyId,
            ["CallerId"] = key.CallerId,
            ["CreatedAt"] = key.CreatedAt,
        }, cancellationToken);
    }

    public async Task<ApiKey?> FindKeyByHashAsync(string secretHash, CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        var entity = await tables.Keys.GetEntityIfExistsAsync<TableEntity>(KeyPartition, secretHash, cancellationToken: cancellationToken);
        return entity.HasValue ? ToKey(entity.Value!) : null;
    }

    public async Task<IReadOnlyList<ApiKey>> ListKeysAsync(string callerId, CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        var keys = new List<ApiKey>();
        await foreach (var entity in tables.Keys.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {KeyPartition} and CallerId eq {callerId}"), cancellationToken: cancellationToken))
        {
            keys.Add(ToKey(entity));
        }
        return keys.OrderBy(k => k.CreatedAt).ToList();
    }

    public async Task<ApiKey?> RevokeKeyAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        await foreach (var entity in tables.Keys.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {KeyPartition} and KeyId eq {keyId}"), cancellationToken: cancellationToken))
        {
            if (entity.GetDateTimeOffset("RevokedAt") is null)
            {
                entity["RevokedAt"] = revokedAt;
                await tables.Keys.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Merge, cancellationToken);
            }
            return ToKey(entity);
        }
        return null;
    }

    private static Caller ToCaller(TableEntity e) =>
        new(e.RowKey, MeteringJson.ReadPlan(e.GetString("Plan") ?? "{}"), e.GetDateTimeOffset("CreatedAt") ?? default);

    private static ApiKey ToKey(TableEntity e) =>
        new(e.GetString("KeyId") ?? "", e.GetString("CallerId") ?? "", e.RowKey, e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("RevokedAt"));
}
