using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Cache;
using Serverless.Core.Repository;

namespace Serverless.Functions.Protocol.Http;

/// <summary>Triton's model repository extension: index, load, unload.</summary>
public sealed class RepositoryFunctions(IModelRepository repository, ModelVersionIndex index, ModelCache cache)
{
    [Function("RepositoryLoad")]
    public async Task<IResult> LoadAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/repository/models/{model}/load")] HttpRequest request, string model)
    {
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
    public async Task<IResult> UnloadAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/repository/models/{model}/unload")] HttpRequest request, string model)
    {
        await index.ResolveAsync(model, null, request.HttpContext.RequestAborted);
        var unloaded = cache.Unload(model);
        return TypedResults.Json(new { name = model, unloaded_versions = unloaded }, ProtocolJson.Options);
    }

    /// <summary>Every version in the repository with its state; <c>{"ready": true}</c> in the body lists only loaded ones.</summary>
    [Function("RepositoryIndex")]
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
                    });
                }
            }
        }
        return TypedResults.Json(entries, ProtocolJson.Options);
    }

    private static async Task<bool> ReadReadyFilterAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any())
        {
            return false;
        }
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("ready", out var ready) && ready.ValueKind == JsonValueKind.True;
        }
        catch (JsonException e)
        {
            throw new Serverless.Core.Errors.InvalidInferenceInputException($"request body is not valid JSON: {e.Message}", e);
        }
    }
}
