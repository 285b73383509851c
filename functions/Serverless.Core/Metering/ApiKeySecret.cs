using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Core.Metering;

/// <summary>Makes key secrets and ids, and the hash under which a secret is stored and looked up.</summary>
public static class ApiKeySecret
{
    public const string SecretPrefix = "sk_";
    public const string KeyIdPrefix = "key_";

    /// <summary>32 random bytes (256 bits) as url-safe base64, so a key fits in headers and URLs unescaped.</summary>
    public static string NewSecret() => SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The public handle used to revoke a key; it reveals nothing about the secret.</summary>
    public static string NewKeyId() => KeyIdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>
    /// Hex SHA-256 of the secret. A fast unsalted hash is enough here: the secret is 256 random bits, not a
    /// password, so there is nothing to brute-force, and lookups by hash need it to be deterministic.
    /// </summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool LooksLikeSecret(string? value) => value is { Length: > 3 } && value.StartsWith(SecretPrefix, StringComparison.Ordinal);
}
