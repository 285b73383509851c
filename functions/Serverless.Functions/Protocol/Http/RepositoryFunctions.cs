using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Cache;
using Serverless.Core.Repository;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Triton's model repository extension: index, load, unload. Load and unload are the operator's, as in Triton: the admin
/// key once keys are required, since each load opens sessions and threads that every caller's requests then share.
/// </summary>
public sealed class RepositoryFunctions(IModelRepository repository, ModelVersionIndex index, ModelCache cache)
{
    [Function("RepositoryLoad")]
    [ApiOperation("Repository", "Load a model's current version", Response = ApiSchemas.RepositoryLoad)]
    [EndpointAccess(EndpointAccess.AdminWhenKeysRequired)]
    public async Task<IResult> LoadAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/repository/models/{model}/load")] HttpRequest request, string model)
    {
        EnsureNothingToHonour(await SmallJsonBody.ReadAsync(request, request.HttpContext.RequestAborted));
        var result = await cache.LoadAsync(model, request.HttpContext.RequestAborted);
        return TypedResults.Json(new
        {
            name = result.Key.Name,
            version = result.Key.Version.ToString(CultureInfo.InvariantCulture),
            state = "READY",
            action = result.Action.ToString().ToLowerInvariant(),
        }, ProtocolJson.Options);
    }

    [Function("RepositoryUnload")]
    [ApiOperation("Repository", "Unload every loaded version of a model", Response = ApiSchemas.RepositoryUnload)]
    [EndpointAccess(EndpointAccess.AdminWhenKeysRequired)]
    public async Task<IResult> UnloadAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/repository/models/{model}/unload")] HttpRequest request, string model)
    {
        await index.ResolveAsync(model, null, request.HttpContext.RequestAborted);
        var unloaded = cache.Unload(model);
        return TypedResults.Json(new { name = model, unloaded_versions = unloaded }, ProtocolJson.Options);
    }

    /// <summary>Every version in the repository with its state; <c>{"ready": true}</c> in the body lists only loaded ones.</summary>
    [Function("RepositoryIndex")]
    [ApiOperation("Repository", "Every model version in the repository with its state", RequestBody = ApiSchemas.RepositoryIndexRequest, RequestBodyOptional = true, Response = ApiSchemas.RepositoryIndex)]
    public async Task<IResult> IndexAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/repository/index")] HttpRequest request)
    {
        var ct = request.HttpContext.RequestAborted;
        var readyOnly = await ReadReadyFilterAsync(request, ct);
        var entries = new List<object>();
        foreach (var model in await repository.ListModelsAsync(ct))
        {
            foreach (var version in await index.GetVersionsAsync(model, cancellationToken: ct))
            {
                var state = cache.StateOf(new ModelKey(model, version)) ?? new ModelVersionState(model, version, ModelState.Unavailable, "unloaded");
                if (!readyOnly || state.State == ModelState.Ready)
                {
                    entries.Add(new
                    {
                        name = model,
                        version = version.ToString(CultureInfo.InvariantCulture),
                        state = state.State.ToString().ToUpperInvariant(),
                        reason = state.Reason,
                        // Known once loaded: the kind is the version folder's.
                        kind = state.Kind?.WireName(),
                    });
                }
            }
        }
        return TypedResults.Json(entries, ProtocolJson.Options);
    }

    private static async Task<bool> ReadReadyFilterAsync(HttpRequest request, CancellationToken ct)
    {
        using var doc = await SmallJsonBody.ReadAsync(request, ct);
        return doc is { RootElement.ValueKind: JsonValueKind.Object } && doc.RootElement.TryGetProperty("ready", out var ready) && ready.ValueKind == JsonValueKind.True;
    }

    /// <summary>
    /// A load request may carry Triton's overrides (<c>parameters.config</c>, <c>parameters."file:..."</c>): this server
    /// loads the version folder as the repository holds it, so an override it would silently ignore is refused instead.
    /// </summary>
    private static void EnsureNothingToHonour(JsonDocument? body)
    {
        using var _ = body;
        if (body is null)
        {
            return;
        }
        if (body.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new SmallJsonBody.InvalidRequestBodyException($"a load request body must be a JSON object, not {body.RootElement.ValueKind}");
        }
        foreach (var field in body.RootElement.EnumerateObject())
        {
            if (field.Name != "parameters" || field.Value.ValueKind != JsonValueKind.Object)
            {
                throw new SmallJsonBody.InvalidRequestBodyException($"a load request takes only 'parameters' (an object), not '{field.Name}'");
            }
            foreach (var parameter in field.Value.EnumerateObject())
            {
                throw new SmallJsonBody.InvalidRequestBodyException(
                    $"load parameter '{parameter.Name}' is not honoured: models load as their version folder holds them; change config.json or the files in the repository instead");
            }
        }
    }
}
