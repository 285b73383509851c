using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Metering;

/// <summary>
/// Resolves who is calling, by the endpoint's access rule: the admin key, a caller's API key, the caller named by API
/// Management (only with the shared secret), else "anonymous" unless Metering:RequireKey. A key that is presented but
/// wrong is always refused, even when keys are optional. Open endpoints (health) resolve nobody; with metering off
/// every call is unmetered and the metering endpoints are not served.
/// </summary>
public sealed class CallerAuthenticator(CallerDirectory directory, MeteredInference inference, IOptions<MeteringOptions> options)
{
    private readonly MeteringOptions _options = options.Value;
    // Hashed once: comparing a presented key with the admin key then hashes only the presented one.
    private readonly byte[]? _adminKeyHash = string.IsNullOrEmpty(options.Value.AdminKey) ? null : HashOf(options.Value.AdminKey);
    private readonly byte[]? _apimSecretHash = string.IsNullOrEmpty(options.Value.ApimSecret) ? null : HashOf(options.Value.ApimSecret);

    public async Task AuthenticateAsync(HttpContext context, EndpointAccessAttribute rule)
    {
        if (!_options.Enabled)
        {
            if (rule.RequiresMetering)
            {
                throw new EndpointNotServedException($"{context.Request.Method} {context.Request.Path} is not served while metering is off (Metering:Enabled=false)");
            }
            return;
        }
        if (rule.Access == EndpointAccess.Open)
        {
            return;
        }
        var (identity, refusal) = await ResolveAsync(context);
        if (identity is null)
        {
            var unauthorized = new UnauthorizedCallerException(refusal!);
            if (rule.Access == EndpointAccess.Metered)
            {
                inference.RecordUnauthorized(context.GetRouteValue("model") as string ?? "", unauthorized);
            }
            throw unauthorized;
        }
        var needsAdmin = rule.Access == EndpointAccess.Admin || (rule.Access == EndpointAccess.AdminWhenKeysRequired && _options.RequireKey == true);
        if (needsAdmin && !identity.IsAdmin)
        {
            throw identity.KeyId is null && identity.CallerId == CallerId.Anonymous
                ? new UnauthorizedCallerException($"{context.Request.Path} needs the admin key (Authorization: Bearer <key> or api-key: <key>)")
                : new UsageAccessDeniedException($"{context.Request.Path} needs the admin key; caller '{identity.CallerId}' may not use it");
        }
        context.SetCaller(identity);
    }

    private async Task<(CallerIdentity? Identity, string? Refusal)> ResolveAsync(HttpContext context)
    {
        if (CallerCredentials.KeyOf(context.Request) is { } key)
        {
            if (_adminKeyHash is not null && SecretsEqual(key, _adminKeyHash))
            {
                return (CallerIdentity.AdminIdentity, null);
            }
            if (ApiKeySecret.LooksLikeSecret(key) && await directory.AuthenticateAsync(key, context.RequestAborted) is { } caller)
            {
                return (caller, null);
            }
            return (null, "the API key is not valid or has been revoked");
        }
        if (await FromApiManagementAsync(context) is { } apimCaller)
        {
            return (apimCaller, null);
        }
        return _options.RequireKey == true
            ? (null, "an API key is required: send Authorization: Bearer <key> or api-key: <key>")
            : (new CallerIdentity(CallerId.Anonymous, null, _options.DefaultPlan), null);
    }

    /// <summary>The caller API Management vouches for; the header alone proves nothing, so without the shared secret it is ignored.</summary>
    private async Task<CallerIdentity?> FromApiManagementAsync(HttpContext context)
    {
        if (_apimSecretHash is null
            || context.Request.Headers[_options.ApimSecretHeader].ToString() is not { Length: > 0 } secret
            || !SecretsEqual(secret, _apimSecretHash)
            || context.Request.Headers[_options.ApimCallerHeader].ToString() is not { Length: > 0 } callerId)
        {
            return null;
        }
        if (!CallerId.IsValid(callerId) || CallerId.IsReserved(callerId))
        {
            throw new InvalidMeteringInputException($"{_options.ApimCallerHeader} '{callerId}' is not a valid caller id");
        }
        return new CallerIdentity(callerId, "apim", await directory.PlanOfAsync(callerId, context.RequestAborted));
    }

    /// <summary>Compares in constant time, so response timing does not reveal how much of a secret was right.</summary>
    private static bool SecretsEqual(string presented, byte[] expectedHash) =>
        CryptographicOperations.FixedTimeEquals(HashOf(presented), expectedHash);

    private static byte[] HashOf(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
