using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>
/// Chooses the execution provider for a session: <c>auto</c> takes CUDA when this ONNX Runtime build has it and a
/// GPU answers, else CPU; <c>cuda</c> fails the load with the reason when CUDA cannot be used; <c>cpu</c> is CPU.
/// Whether CUDA answers is found out once per device and process, by opening a one-node model on it: the CUDA
/// libraries and the driver do not appear or vanish while the process runs, and asking again on every load would
/// repeat the same failure (and ONNX Runtime's own error line) for every model.
/// </summary>
public sealed class ExecutionProviderSelector(ILogger<ExecutionProviderSelector> logger)
{
    // ONNX Runtime's name for the provider, as GetAvailableProviders lists it.
    private const string Cuda = "CUDAExecutionProvider";

    // ModelProto (IR 8, opset 13): y = Identity(x), x and y FLOAT [1]. Written by hand, as protoc is no dependency
    // of the app; ExecutionProviderSelectorTests opens it on the CPU.
    internal static readonly byte[] ProbeModel =
    [
        0x08, 0x08, 0x3A, 0x3B, 0x0A, 0x10, 0x0A, 0x01, 0x78, 0x12, 0x01, 0x79, 0x22, 0x08, 0x49, 0x64, 0x65, 0x6E, 0x74, 0x69, 0x74,
        0x79, 0x12, 0x05, 0x70, 0x72, 0x6F, 0x62, 0x65, 0x5A, 0x0F, 0x0A, 0x01, 0x78, 0x12, 0x0A, 0x0A, 0x08, 0x08, 0x01, 0x12, 0x04,
        0x0A, 0x02, 0x08, 0x01, 0x62, 0x0F, 0x0A, 0x01, 0x79, 0x12, 0x0A, 0x0A, 0x08, 0x08, 0x01, 0x12, 0x04, 0x0A, 0x02, 0x08, 0x01,
        0x42, 0x02, 0x10, 0x0D,
    ];

    private readonly Lazy<string[]> _available = new(() => OrtEnv.Instance().GetAvailableProviders());
    private readonly ConcurrentDictionary<int, Lazy<string?>> _cudaUnusable = new();
    private readonly ConcurrentDictionary<int, bool> _fallbackLogged = new();

    /// <summary>The provider a model runs on: <paramref name="requested"/> (auto, cuda or cpu) against what this process can use.</summary>
    public ExecutionProvider Choose(string requested, ModelKey key, GpuConfig gpu)
    {
        var mode = requested.Trim().ToLowerInvariant();
        if (mode is "cpu")
        {
            return ExecutionProvider.Cpu;
        }
        if (mode is not ("auto" or "cuda"))
        {
            throw new ModelLoadException($"model {key}: execution provider '{requested}' is not one of auto, cuda, cpu");
        }
        if (CudaUnusableReason(gpu.DeviceId) is { } reason)
        {
            if (mode is "cuda")
            {
                throw new ModelLoadException($"model {key}: execution provider 'cuda' requested, but {reason}");
            }
            if (_fallbackLogged.TryAdd(gpu.DeviceId, true) && HasCuda)
            {
                // Once per device and process; a CPU build choosing CPU is what it was built for and says nothing.
                logger.LogWarning("CUDA device {DeviceId} is unusable, so models with execution provider auto run on CPU: {Reason}", gpu.DeviceId, reason);
            }
            return ExecutionProvider.Cpu;
        }
        return ExecutionProvider.Cuda;
    }

    /// <summary>Adds <paramref name="provider"/>, with the model's <paramref name="gpu"/> settings, to <paramref name="options"/> (the CPU is always there).</summary>
    public static void Append(SessionOptions options, ExecutionProvider provider, GpuConfig gpu)
    {
        if (provider == ExecutionProvider.Cuda)
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(CudaProviderOptions(gpu));
            options.AppendExecutionProvider_CUDA(cuda);
        }
    }

    /// <summary>Whether this ONNX Runtime build has the CUDA provider at all (the Gpu flavor).</summary>
    public bool HasCuda => _available.Value.Contains(Cuda);

    /// <summary>Why CUDA cannot run models on <paramref name="deviceId"/> in this process, or null when it can.</summary>
    public string? CudaUnusableReason(int deviceId) =>
        _cudaUnusable.GetOrAdd(deviceId, id => new Lazy<string?>(() => Probe(id))).Value;

    /// <summary>ONNX Runtime's CUDA provider options (onnxruntime_c_api.h, OrtCUDAProviderOptionsV2 keys) for <paramref name="gpu"/>.</summary>
    internal static Dictionary<string, string> CudaProviderOptions(GpuConfig gpu)
    {
        var options = new Dictionary<string, string>
        {
            ["device_id"] = gpu.DeviceId.ToString(CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = gpu.CudnnConvAlgoSearch.ToUpperInvariant(),
        };
        if (gpu.MemoryLimitBytes > 0)
        {
            options["gpu_mem_limit"] = gpu.MemoryLimitBytes.ToString(CultureInfo.InvariantCulture);
            // Grow the arena by what is asked, not by doubling, so a limit is not hit by one over-eager extension.
            options["arena_extend_strategy"] = "kSameAsRequested";
        }
        return options;
    }

    private string? Probe(int deviceId)
    {
        if (!HasCuda)
        {
            return $"this ONNX Runtime build offers only {string.Join(", ", _available.Value)} (build with -p:OnnxRuntimeFlavor=Gpu)";
        }
        try
        {
            // OrtCUDAProviderOptions loads libonnxruntime_providers_cuda.so and, unlike AppendExecutionProvider_CUDA(int),
            // reports in its exception which library is missing instead of printing that to stderr.
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = deviceId.ToString(CultureInfo.InvariantCulture) });
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            options.AppendExecutionProvider_CUDA(cuda);
            // Creating the provider selects the device: this is where a missing GPU or a too old driver shows.
            using var session = new InferenceSession(ProbeModel, options);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return Explain(e.Message);
        }
    }

    /// <summary>The part of ORT's message that says what is missing, with what the provider needs.</summary>
    internal static string Explain(string message)
    {
        const string LoadError = " with error: ";
        var at = message.IndexOf(LoadError, StringComparison.Ordinal);
        var cause = at >= 0 ? $"libonnxruntime_providers_cuda.so cannot be loaded: {message[(at + LoadError.Length)..].Trim()}" : message.Trim();
        return $"{cause}. The CUDA provider of ONNX Runtime 1.32 needs the CUDA 13 runtime (libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10), cuDNN 9 and an NVIDIA driver R580 or newer";
    }
}
