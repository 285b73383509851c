using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Callers and keys, for the admin key only, at <c>/manage/...</c>: the Functions host reserves <c>/admin</c> for
/// itself. The standalone server also answers at <c>/admin/...</c>.
/// </summary>
public sealed class AdminFunctions(CallerDirectory directory)
{
    private sealed record CreateCallerBody(string? Id, CallerPlan? Plan);

    [Function("CreateCaller")]
    [ApiOperation("Admin", "Create a caller with its plan", RequestBody = ApiSchemas.CallerRequest, Response = ApiSchemas.Caller, ResponseStatus = 201)]
    [EndpointAccess(EndpointAccess.Admin, RequiresMetering = true)]
    public async Task<IResult> CreateCallerAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/callers")] HttpRequest request)
    {
        var ct = request.HttpContext.RequestAborted;
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

    [Function("ListCallers")]
    [ApiOperation("Admin", "List the callers, their plans and keys", Response = ApiSchemas.CallerList)]
    [EndpointAccess(EndpointAccess.Admin, RequiresMetering = true)]
    public async Task<IResult> ListCallersAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "manage/callers")] HttpRequest request)
    {
        var ct = request.HttpContext.RequestAborted;
        var callers = new List<object>();
        foreach (var caller in await directory.ListCallersAsync(ct))
        {
            callers.Add(Describe(caller, await directory.ListKeysAsync(caller.Id, ct)));
        }
        return TypedResults.Json(new { callers }, ProtocolJson.Options);
    }

    [Function("IssueKey")]
    [ApiOperation("Admin", "Issue a key to a caller (the secret is shown once)", Response = ApiSchemas.IssuedKey, ResponseStatus = 201)]
    [EndpointAccess(EndpointAccess.Admin, RequiresMetering = true)]
    public async Task<IResult> IssueKeyAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/callers/{id}/keys")] HttpRequest request, string id)
    {
        var (key, secret) = await directory.IssueKeyAsync(id, request.HttpContext.RequestAborted);
        return TypedResults.Json(new { key_id = key.KeyId, key = secret, caller = key.CallerId, created_at = key.CreatedAt }, ProtocolJson.Options,
            statusCode: StatusCodes.Status201Created);
    }

    [Function("RevokeKey")]
    [ApiOperation("Admin", "Revoke a key", ResponseStatus = 204)]
    [EndpointAccess(EndpointAccess.Admin, RequiresMetering = true)]
    public async Task<IResult> RevokeKeyAsync([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "manage/keys/{keyId}")] HttpRequest request, string keyId)
    {
        await directory.RevokeKeyAsync(keyId, request.HttpContext.RequestAborted);
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
