namespace Serverless.Core.Metering;

/// <summary>A caller's key as stored: its id and the SHA-256 of the secret, never the secret itself.</summary>
public sealed record ApiKey(string KeyId, string CallerId, string SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null)
{
    public bool IsRevoked => RevokedAt is not null;
}
