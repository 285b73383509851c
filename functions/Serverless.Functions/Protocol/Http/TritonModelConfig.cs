using Serverless.Core.Batching;
using Serverless.Core.Cache;
using Serverless.Core.Inference;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// A loaded model's configuration in Triton's JSON form (the model configuration extension), built from the graph and
/// config.json: what Triton's tools (perf_analyzer, model_analyzer, client libraries) read to learn a model's batch
/// size and tensors before they send anything.
/// </summary>
public static class TritonModelConfig
{
    public const string Backend = "onnxruntime";

    /// <summary>ONNX Runtime GenAI runs a generator; Triton's own name for such a model's platform does not exist.</summary>
    public const string GenerativePlatform = "onnxruntime_genai";

    public static object Describe(ILoadedModel model) => model.Graph is { } graph ? DescribeGraph(graph, model) : DescribeGenerator(model);

    /// <summary>A generator as Triton describes a model behind its generate extension: one text in, one text out.</summary>
    private static object DescribeGenerator(ILoadedModel model) => new
    {
        name = model.Key.Name,
        platform = GenerativePlatform,
        backend = GenerativePlatform,
        version_policy = new { all = new { } },
        max_batch_size = 0,
        input = new[] { new { name = "text_input", data_type = "TYPE_STRING", dims = new long[] { 1 } } },
        output = new[] { new { name = "text_output", data_type = "TYPE_STRING", dims = new long[] { -1 } } },
        instance_group = new[] { new { name = model.Key.Name, kind = "KIND_CPU", count = 1 } },
        parameters = Parameters(model),
    };

    /// <summary>Triton's free-form <c>parameters</c>: string values under <c>string_value</c>.</summary>
    private static Dictionary<string, object> Parameters(ILoadedModel model) =>
        ModelKindProperties.Of(model).ToDictionary(p => p.Key, p => (object)new { string_value = p.Value });

    private static object DescribeGraph(LoadedModel model, ILoadedModel described)
    {
        var session = model.Session;
        var config = model.Config;
        // Triton's max_batch_size means every input and output has an implicit first (batch) dimension that dims leave
        // out; a model where that does not hold is described as Triton describes one without batching: 0 and full dims.
        var batched = config.MaxBatchSize > 0 && model.HasBatchDimension;
        var batcher = model.Scheduler as DynamicBatcher;
        var batching = batcher is null ? null : config.DynamicBatching;
        return new
        {
            name = model.Key.Name,
            platform = ModelFunctions.Platform,
            backend = Backend,
            // Every version in the repository can be asked for.
            version_policy = new { all = new { } },
            max_batch_size = batched ? config.MaxBatchSize : 0,
            input = session.Inputs.Concat(session.OptionalInputs).Select(t => Tensor(t, batched)),
            output = session.Outputs.Select(t => Tensor(t, batched)),
            dynamic_batching = batching is null ? null : new
            {
                preferred_batch_size = batching.PreferredBatchSizes,
                // The delay in force: the configured one, or the automatic one as it stands now.
                max_queue_delay_microseconds = (long)batcher!.QueueDelay.TotalMicroseconds,
                default_queue_policy = new
                {
                    timeout_action = batching.TimeoutAction == QueueTimeoutAction.Delay ? "DELAY" : "REJECT",
                    default_timeout_microseconds = batching.DefaultTimeoutUs,
                    max_queue_size = batching.MaxQueueSize,
                },
            },
            instance_group = new[]
            {
                new
                {
                    name = model.Key.Name,
                    kind = session.ExecutionProvider.OnGpu() ? "KIND_GPU" : "KIND_CPU",
                    count = model.Scheduler.InstanceCount,
                },
            },
            parameters = Parameters(described),
        };
    }

    private static object Tensor(TensorMetadata tensor, bool batched) => new
    {
        name = tensor.Name,
        // Triton's DataType enum: TYPE_ plus the wire name, except that BYTES is TYPE_STRING.
        data_type = tensor.DataType == TensorDataType.Bytes ? "TYPE_STRING" : "TYPE_" + tensor.DataType.WireName(),
        dims = batched && tensor.Shape.Length > 0 && tensor.Shape[0] < 0 ? tensor.Shape[1..] : tensor.Shape,
        optional = tensor.Optional ? true : (bool?)null,
    };
}
