using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Cache;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Functions.Protocol.Http;

/// <summary>Model metadata, model readiness, the statistics extension and the model configuration extension.</summary>
public sealed class ModelFunctions(ModelCache cache, ModelVersionIndex index, InferenceStatistics statistics)
{
    public const string Platform = "onnxruntime_onnx";

    [Function("ModelsStats")]
    [ApiOperation("Models", "Inference statistics of every model", Response = ApiSchemas.ModelStatistics)]
    public IResult AllStats([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/stats")] HttpRequest request) =>
        Stats(null, null);

    [Function("ModelMetadata")]
    [ApiOperation("Models", "A model's metadata: versions, inputs and outputs", Response = ApiSchemas.ModelMetadata)]
    public Task<IResult> MetadataAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/{model}")] HttpRequest request, string model) =>
        DescribeAsync(model, null, request.HttpContext.RequestAborted);

    [Function("ModelVersionMetadata")]
    [ApiOperation("Models", "One version's metadata: inputs and outputs", Response = ApiSchemas.ModelMetadata)]
    public Task<IResult> VersionMetadataAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/{model}/versions/{version}")] HttpRequest request,
        string model, string version) =>
        DescribeAsync(model, ModelName.ParseVersion(model, version), request.HttpContext.RequestAborted);

    [Function("ModelReady")]
    [ApiOperation("Models", "Whether a model's current version is loaded and ready", Response = ApiSchemas.ModelReady)]
    public Task<IResult> ReadyAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/{model}/ready")] HttpRequest request, string model) =>
        ReadinessAsync(model, null, request.HttpContext.RequestAborted);

    [Function("ModelVersionReady")]
    [ApiOperation("Models", "Whether one version is loaded and ready", Response = ApiSchemas.ModelReady)]
    public Task<IResult> VersionReadyAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/{model}/versions/{version}/ready")] HttpRequest request,
        string model, string version) =>
        ReadinessAsync(model, ModelName.ParseVersion(model, version), request.HttpContext.RequestAborted);

    [Function("ModelConfig")]
    [ApiOperation("Models", "A model's configuration, as Triton describes one", Response = ApiSchemas.ModelConfig)]
    public Task<IResult> ConfigAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/{model}/config")] HttpRequest request, string model) =>
        ConfigurationAsync(model, null, request.HttpContext.RequestAborted);

    [Function("ModelVersionConfig")]
    [ApiOperation("Models", "One version's configuration, as Triton describes one", Response = ApiSchemas.ModelConfig)]
    public Task<IResult> VersionConfigAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/{model}/versions/{version}/config")] HttpRequest request,
        string model, string version) =>
        ConfigurationAsync(model, ModelName.ParseVersion(model, version), request.HttpContext.RequestAborted);

    [Function("ModelStats")]
    [ApiOperation("Models", "A model's inference statistics", Response = ApiSchemas.ModelStatistics)]
    public Task<IResult> StatsAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/{model}/stats")] HttpRequest request, string model) =>
        StatsOfAsync(model, null, request.HttpContext.RequestAborted);

    [Function("ModelVersionStats")]
    [ApiOperation("Models", "One version's inference statistics", Response = ApiSchemas.ModelStatistics)]
    public Task<IResult> VersionStatsAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/models/{model}/versions/{version}/stats")] HttpRequest request,
        string model, string version) =>
        StatsOfAsync(model, ModelName.ParseVersion(model, version), request.HttpContext.RequestAborted);

    private async Task<IResult> DescribeAsync(string model, long? version, CancellationToken ct)
    {
        // Inputs and outputs come from the graph itself, so metadata loads the model like a first inference would.
        using var lease = await cache.AcquireAsync(model, version, ct);
        var versions = await index.GetVersionsAsync(model, cancellationToken: ct);
        var properties = ModelKindProperties.Of(lease.Model);
        properties["version"] = lease.Model.Key.Version.ToString(CultureInfo.InvariantCulture);
        if (lease.Model.Graph is not { Session: var session })
        {
            // A generator, as Triton's generate extension models one: text in, text out.
            properties["execution_provider"] = ExecutionProvider.Cpu.WireName();
            return TypedResults.Json(new
            {
                name = model,
                versions = versions.Select(v => v.ToString(CultureInfo.InvariantCulture)),
                platform = TritonModelConfig.GenerativePlatform,
                inputs = new[] { new { name = "text_input", datatype = "BYTES", shape = new long[] { 1 } } },
                outputs = new[] { new { name = "text_output", datatype = "BYTES", shape = new long[] { -1 } } },
                properties,
            }, ProtocolJson.Options);
        }
        properties["execution_provider"] = session.ExecutionProvider.WireName();
        return TypedResults.Json(new
        {
            name = model,
            versions = versions.Select(v => v.ToString(CultureInfo.InvariantCulture)),
            platform = Platform,
            inputs = session.Inputs.Select(Describe),
            outputs = session.Outputs.Select(Describe),
            properties,
        }, ProtocolJson.Options);
    }

    /// <summary>Like metadata, the configuration comes from the graph, so asking loads the model.</summary>
    private async Task<IResult> ConfigurationAsync(string model, long? version, CancellationToken ct)
    {
        using var lease = await cache.AcquireAsync(model, version, ct);
        return TypedResults.Json(TritonModelConfig.Describe(lease.Model), ProtocolJson.Options);
    }

    private static object Describe(TensorMetadata tensor) => new { name = tensor.Name, datatype = tensor.DataType.WireName(), shape = tensor.Shape };

    /// <summary>A model is ready once it is loaded; asking loads it, so a client polling readiness is not stuck on lazy loading.</summary>
    private async Task<IResult> ReadinessAsync(string model, long? version, CancellationToken ct)
    {
        using var lease = await cache.AcquireAsync(model, version, ct);
        return TypedResults.Json(new { name = model, version = lease.Model.Key.Version.ToString(CultureInfo.InvariantCulture), ready = true }, ProtocolJson.Options);
    }

    private async Task<IResult> StatsOfAsync(string model, long? version, CancellationToken ct)
    {
        await index.ResolveAsync(model, version, ct);
        return Stats(model, version);
    }

    private IResult Stats(string? model, long? version)
    {
        // Loaded versions are listed even before their first inference, with zero counts, as Triton does.
        foreach (var state in cache.States().Where(s => s.State == ModelState.Ready))
        {
            statistics.For(new ModelKey(state.Name, state.Version));
        }
        return StatsResult(statistics, model, version);
    }

    private static IResult StatsResult(InferenceStatistics statistics, string? model, long? version) => TypedResults.Json(new
    {
        model_stats = statistics.Snapshot(model)
            .Where(s => version is null || s.Key.Version == version)
            .Select(s => new
            {
                name = s.Key.Name,
                version = s.Key.Version.ToString(CultureInfo.InvariantCulture),
                last_inference = s.Stats.LastInferenceMs,
                inference_count = s.Stats.InferenceCount,
                execution_count = s.Stats.ExecutionCount,
                inference_stats = new
                {
                    success = s.Stats.Success,
                    fail = s.Stats.Fail,
                    queue = s.Stats.Queue,
                    compute_input = s.Stats.ComputeInput,
                    compute_infer = s.Stats.ComputeInfer,
                    compute_output = s.Stats.ComputeOutput,
                },
                batch_stats = Array.Empty<object>(),
            }),
    }, ProtocolJson.Options);
}
