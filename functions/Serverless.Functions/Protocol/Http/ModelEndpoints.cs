using System.Globalization;
using Serverless.Core.Cache;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Functions.Protocol.Http;

/// <summary>Model metadata, model readiness and the statistics extension.</summary>
public static class ModelEndpoints
{
    public const string Platform = "onnxruntime_onnx";

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v2/models/stats", (InferenceStatistics statistics, ModelCache cache) => Stats(statistics, cache, null, null));
        app.MapGet("/v2/models/{model}", (string model, ModelCache cache, ModelVersionIndex index, CancellationToken ct) =>
            MetadataAsync(model, null, cache, index, ct));
        app.MapGet("/v2/models/{model}/versions/{version}", (string model, string version, ModelCache cache, ModelVersionIndex index, CancellationToken ct) =>
            MetadataAsync(model, ModelName.ParseVersion(model, version), cache, index, ct));
        app.MapGet("/v2/models/{model}/ready", (string model, ModelCache cache, CancellationToken ct) => ReadyAsync(model, null, cache, ct));
        app.MapGet("/v2/models/{model}/versions/{version}/ready", (string model, string version, ModelCache cache, CancellationToken ct) =>
            ReadyAsync(model, ModelName.ParseVersion(model, version), cache, ct));
        app.MapGet("/v2/models/{model}/stats", (string model, InferenceStatistics statistics, ModelCache cache, ModelVersionIndex index, CancellationToken ct) =>
            StatsAsync(model, null, statistics, cache, index, ct));
        app.MapGet("/v2/models/{model}/versions/{version}/stats", (string model, string version, InferenceStatistics statistics, ModelCache cache, ModelVersionIndex index, CancellationToken ct) =>
            StatsAsync(model, ModelName.ParseVersion(model, version), statistics, cache, index, ct));
        return app;
    }

    private static async Task<IResult> MetadataAsync(string model, long? version, ModelCache cache, ModelVersionIndex index, CancellationToken ct)
    {
        // Inputs and outputs come from the graph itself, so metadata loads the model like a first inference would.
        using var lease = await cache.AcquireAsync(model, version, ct);
        var session = lease.Model.Session;
        var versions = await index.GetVersionsAsync(model, cancellationToken: ct);
        return TypedResults.Json(new
        {
            name = model,
            versions = versions.Select(v => v.ToString(CultureInfo.InvariantCulture)),
            platform = Platform,
            inputs = session.Inputs.Select(Describe),
            outputs = session.Outputs.Select(Describe),
            properties = new Dictionary<string, string>
            {
                ["version"] = lease.Model.Key.Version.ToString(CultureInfo.InvariantCulture),
                ["execution_provider"] = session.ExecutionProvider,
            },
        }, ProtocolJson.Options);
    }

    private static object Describe(TensorMetadata tensor) => new { name = tensor.Name, datatype = tensor.DataType.WireName(), shape = tensor.Shape };

    /// <summary>A model is ready once it is loaded; asking loads it, so a client polling readiness is not stuck on lazy loading.</summary>
    private static async Task<IResult> ReadyAsync(string model, long? version, ModelCache cache, CancellationToken ct)
    {
        using var lease = await cache.AcquireAsync(model, version, ct);
        return TypedResults.Json(new { name = model, version = lease.Model.Key.Version.ToString(CultureInfo.InvariantCulture), ready = true }, ProtocolJson.Options);
    }

    private static async Task<IResult> StatsAsync(string model, long? version, InferenceStatistics statistics, ModelCache cache, ModelVersionIndex index, CancellationToken ct)
    {
        await index.ResolveAsync(model, version, ct);
        return Stats(statistics, cache, model, version);
    }

    private static IResult Stats(InferenceStatistics statistics, ModelCache cache, string? model, long? version)
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
