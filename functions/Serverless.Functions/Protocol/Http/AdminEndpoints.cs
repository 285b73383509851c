using System.Text.Json;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;
using Serverless.Functions.Metering;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Callers and keys, for the admin key only. Served at <c>/admin</c> and, because the Functions host reserves
/// <c>/admin</c> for itself, also at <c>/manage</c> (the route of the Admin trigger).
/// </summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/admin", "/manage" })
        {
            var admin = app.MapGroup(prefix).WithMetadata(AdminOnlyMetadata.Always);
            admin.MapPost("/callers", CreateCallerAsync);
            admin.MapGet("/callers", ListCallersAsync);
            admin.MapPost("/callers/{id}/keys", IssueKeyAsync);
            admin.MapDelete("/keys/{keyId}", RevokeKeyAsync);
        }
        return app;
    }

    private sealed record CreateCallerBody(string? Id, CallerPlan? Plan);

    private static async Task<IResult> CreateCallerAsync(HttpRequest request, CallerDirectory directory, CancellationToken ct)
    {
        CreateCallerBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<CreateCallerBody>(request.Body, MeteringJson.Options, ct);
        }
        catch (JsonException e)
        {
            throw new InvalidMeteringInputException($"request body is not a caller ({{\"id\": ..., \"plan\"?: {{...}}}}): {e.Message}");
        }
        if (string.IsNullOrEmpty(body?.Id))
        {
            throw new InvalidMeteringInputException("request body needs an \"id\"");
        }
        var caller = await directory.CreateCallerAsync(body.Id, body.Plan, ct);
        return TypedResults.Json(Describe(caller, []), ProtocolJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListCallersAsync(CallerDirectory directory, CancellationToken ct)
    {
        var callers = new List<object>();
        foreach (var caller in await directory.ListCallersAsync(ct))
        {
            callers.Add(Describe(caller, await directory.ListKeysAsync(caller.Id, ct)));
        }
        return TypedResults.Json(new { callers }, ProtocolJson.Options);
    }

    private static async Task<IResult> IssueKeyAsync(string id, CallerDirectory directory, CancellationToken ct)
    {
        var (key, secret) = await directory.IssueKeyAsync(id, ct);
        return TypedResults.Json(new { key_id = key.KeyId, key = secret, caller = key.CallerId, created_at = key.CreatedAt }, ProtocolJson.Options,
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RevokeKeyAsync(string keyId, CallerDirectory directory, CancellationToken ct)
    {
        await directory.RevokeKeyAsync(keyId, ct);
        return TypedResults.NoContent();
    }

    private static object Describe(Caller caller, IReadOnlyList<ApiKey> keys) => new
    {
        id = caller.Id,
        plan = new
        {
            requests_per_second = caller.Plan.RequestsPerSecond,
            burst = caller.Plan.Burst,
            monthly_quota = caller.Plan.MonthlyQuota,
            quota_unit = caller.Plan.QuotaUnit,
        },
        created_at = caller.CreatedAt,
        keys = keys.Select(k => new { key_id = k.KeyId, created_at = k.CreatedAt, revoked_at = k.RevokedAt }),
    };
}
