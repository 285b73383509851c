using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>
/// Chooses the execution provider for a session: <c>auto</c> takes CUDA when this ONNX Runtime build has it and a
/// GPU answers, else CPU; <c>cuda</c> fails the load with the reason when CUDA cannot be used; <c>cpu</c> is CPU.
/// </summary>
public sealed class ExecutionProviderSelector(ILogger<ExecutionProviderSelector> logger)
{
    public const string Cpu = "CPUExecutionProvider";
    public const string Cuda = "CUDAExecutionProvider";

    private readonly Lazy<string[]> _available = new(() => OrtEnv.Instance().GetAvailableProviders());

    /// <summary>Adds the chosen provider to <paramref name="options"/> and returns its name.</summary>
    public string Apply(SessionOptions options, string requested, ModelKey key)
    {
        var mode = requested.Trim().ToLowerInvariant();
        if (mode is "cpu")
        {
            return Cpu;
        }
        if (mode is not ("auto" or "cuda"))
        {
            throw new ModelLoadException($"model {key}: execution provider '{requested}' is not one of auto, cuda, cpu");
        }
        if (!_available.Value.Contains(Cuda))
        {
            if (mode is "cuda")
            {
                throw new ModelLoadException($"model {key}: execution provider 'cuda' requested, but this ONNX Runtime build offers only {string.Join(", ", _available.Value)} (build with -p:OnnxRuntimeFlavor=Gpu)");
            }
            return Cpu;
        }
        try
        {
            options.AppendExecutionProvider_CUDA(0);
            return Cuda;
        }
        catch (OnnxRuntimeException e) when (mode is "auto")
        {
            logger.LogWarning("CUDA is built in but unusable ({Reason}); {Model} v{Version} runs on CPU", e.Message, key.Name, key.Version);
            return Cpu;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException($"model {key}: execution provider 'cuda' requested, but no usable GPU: {e.Message}", e);
        }
    }
}
