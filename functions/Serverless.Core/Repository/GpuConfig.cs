using Serverless.Core.Errors;

namespace Serverless.Core.Repository;

/// <summary>
/// config.json <c>gpu</c>: how a model runs when it runs on CUDA. Checked at every load, also on a CPU, so a bad value
/// is reported before the model ever reaches a GPU.
/// </summary>
public sealed record GpuConfig
{
    public static readonly GpuConfig Default = new();

    public static readonly IReadOnlyList<string> ConvAlgoSearches = ["exhaustive", "heuristic", "default"];

    /// <summary>CUDA device ordinal; Container Apps gives a replica one GPU, device 0.</summary>
    public int DeviceId { get; init; }

    /// <summary>Most bytes the session's GPU arena may hold; 0 means no limit (ONNX Runtime's default).</summary>
    public long MemoryLimitBytes { get; init; }

    /// <summary>
    /// How cuDNN picks convolution algorithms: exhaustive (benchmark each on the first run of a shape, ONNX Runtime's
    /// default, fastest afterwards), heuristic (no benchmarking), or default (cuDNN's default algorithm).
    /// </summary>
    public string CudnnConvAlgoSearch { get; init; } = "exhaustive";

    /// <summary>Bind inputs and outputs with an IO binding, so each input is copied to the GPU once (CUDA only).</summary>
    public bool IoBinding { get; init; }

    /// <summary>Throws <see cref="ModelLoadException"/> (503) naming the key and the value that is wrong.</summary>
    public void Validate(ModelKey key)
    {
        if (DeviceId < 0)
        {
            throw new ModelLoadException($"model {key}: config.json gpu.device_id is {DeviceId}; it must be 0 or more");
        }
        if (MemoryLimitBytes < 0)
        {
            throw new ModelLoadException($"model {key}: config.json gpu.memory_limit_bytes is {MemoryLimitBytes}; it must be 0 (no limit) or more");
        }
        if (!ConvAlgoSearches.Contains(CudnnConvAlgoSearch, StringComparer.OrdinalIgnoreCase))
        {
            throw new ModelLoadException($"model {key}: config.json gpu.cudnn_conv_algo_search is '{CudnnConvAlgoSearch}'; it must be one of {string.Join(", ", ConvAlgoSearches)}");
        }
    }
}
