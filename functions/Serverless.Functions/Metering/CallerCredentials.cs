using Microsoft.Extensions.Primitives;

namespace Serverless.Functions.Metering;

/// <summary>Where a key can be presented: <c>Authorization: Bearer &lt;key&gt;</c> or <c>api-key: &lt;key&gt;</c> (the Azure OpenAI convention).</summary>
public static class CallerCredentials
{
    public const string ApiKeyHeader = "api-key";

    public static string? KeyOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer ? bearer : null;
        }
        return request.Headers.TryGetValue(ApiKeyHeader, out StringValues key) && !StringValues.IsNullOrEmpty(key) ? key.ToString().Trim() : null;
    }
}
