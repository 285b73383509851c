using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Metering.Errors;

namespace Serverless.Core.Metering;

/// <summary>
/// Registers callers and their keys, and turns a presented secret into a <see cref="CallerIdentity"/>.
/// Successful lookups are cached so authentication costs no storage round trip per call.
/// </summary>
public sealed class CallerDirectory(ICallerStore store, IOptions<MeteringOptions> options, TimeProvider time, ILogger<CallerDirectory> logger)
{
    // NOTE: a key revoked on another instance stays usable here for at most this long; revoking on this
    // instance takes effect at once.
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, CachedIdentity> _bySecretHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CachedPlan> _plans = new(StringComparer.Ordinal);

    private sealed record CachedIdentity(CallerIdentity Identity, DateTimeOffset Expires);

    private sealed record CachedPlan(CallerPlan Plan, DateTimeOffset Expires);

    public async Task<Caller> CreateCallerAsync(string id, CallerPlan? plan, CancellationToken cancellationToken = default)
    {
        if (!CallerId.IsValid(id))
        {
            throw new InvalidMeteringInputException($"caller id '{id}' is not valid: use 1 to {CallerId.MaxLength} letters, digits, '-', '_' or '.', starting with a letter or digit");
        }
        if (CallerId.IsReserved(id))
        {
            throw new InvalidMeteringInputException($"caller id '{id}' is reserved");
        }
        var effectivePlan = plan ?? options.Value.DefaultPlan;
        var errors = effectivePlan.Validate("plan").Select(e => e.ErrorMessage).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidMeteringInputException(string.Join(" ", errors));
        }
        var caller = new Caller(id, effectivePlan, time.GetUtcNow());
        if (!await store.TryAddCallerAsync(caller, cancellationToken))
        {
            throw new CallerConflictException($"caller '{id}' already exists");
        }
        logger.LogInformation("Registered caller {Caller}", id);
        return caller;
    }

    public Task<IReadOnlyList<Caller>> ListCallersAsync(CancellationToken cancellationToken = default) => store.ListCallersAsync(cancellationToken);

    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(string callerId, CancellationToken cancellationToken = default) => store.ListKeysAsync(callerId, cancellationToken);

    /// <returns>The stored key and its secret: the only time the secret exists outside the caller's hands.</returns>
    public async Task<(ApiKey Key, string Secret)> IssueKeyAsync(string callerId, CancellationToken cancellationToken = default)
    {
        if (!CallerId.IsValid(callerId) || await store.FindCallerAsync(callerId, cancellationToken) is null)
        {
            throw new CallerNotFoundException($"caller '{callerId}' not found");
        }
        var secret = ApiKeySecret.NewSecret();
        var key = new ApiKey(ApiKeySecret.NewKeyId(), callerId, ApiKeySecret.Hash(secret), time.GetUtcNow());
        await store.AddKeyAsync(key, cancellationToken);
        logger.LogInformation("Issued key {KeyId} to caller {Caller}", key.KeyId, callerId);
        return (key, secret);
    }

    public async Task RevokeKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        var revoked = await store.RevokeKeyAsync(keyId, time.GetUtcNow(), cancellationToken)
            ?? throw new CallerNotFoundException($"key '{keyId}' not found");
        _bySecretHash.TryRemove(revoked.SecretHash, out _);
        logger.LogInformation("Revoked key {KeyId} of caller {Caller}", keyId, revoked.CallerId);
    }

    /// <returns>The identity the secret belongs to, or null when it is unknown or revoked.</returns>
    public async Task<CallerIdentity?> AuthenticateAsync(string secret, CancellationToken cancellationToken = default)
    {
        var hash = ApiKeySecret.Hash(secret);
        var now = time.GetUtcNow();
        if (_bySecretHash.TryGetValue(hash, out var cached) && cached.Expires > now)
        {
            return cached.Identity;
        }
        var key = await store.FindKeyByHashAsync(hash, cancellationToken);
        if (key is null || key.IsRevoked)
        {
            _bySecretHash.TryRemove(hash, out _);
            return null;
        }
        var caller = await store.FindCallerAsync(key.CallerId, cancellationToken);
        if (caller is null)
        {
            return null;
        }
        var identity = new CallerIdentity(caller.Id, key.KeyId, caller.Plan);
        _bySecretHash[hash] = new CachedIdentity(identity, now + CacheLifetime);
        return identity;
    }

    /// <summary>The plan of a caller named by API Management: its own when registered here, else the default plan.</summary>
    public async Task<CallerPlan> PlanOfAsync(string callerId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_plans.TryGetValue(callerId, out var cached) && cached.Expires > now)
        {
            return cached.Plan;
        }
        var plan = (await store.FindCallerAsync(callerId, cancellationToken))?.Plan ?? options.Value.DefaultPlan;
        _plans[callerId] = new CachedPlan(plan, now + CacheLifetime);
        return plan;
    }
}
