namespace Serverless.Core.Metering;

/// <summary>Where callers and their hashed keys are kept: SQLite locally, Table storage under Azure.</summary>
public interface ICallerStore
{
    /// <returns>False when a caller with that id already exists.</returns>
    Task<bool> TryAddCallerAsync(Caller caller, CancellationToken cancellationToken = default);

    Task<Caller?> FindCallerAsync(string callerId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Caller>> ListCallersAsync(CancellationToken cancellationToken = default);

    Task AddKeyAsync(ApiKey key, CancellationToken cancellationToken = default);

    Task<ApiKey?> FindKeyByHashAsync(string secretHash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKey>> ListKeysAsync(string callerId, CancellationToken cancellationToken = default);

    /// <returns>The key as revoked, or null when no key has that id.</returns>
    Task<ApiKey?> RevokeKeyAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default);
}
