using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>
/// ONNX Runtime GenAI's process-wide state, started once. GenAI ships no ONNX Runtime: on Linux it first looks for an
/// already-loaded libonnxruntime.so (dlopen with RTLD_NOLOAD) and only then loads one itself. Creating the managed
/// runtime's environment first makes sure the image it finds is the service's own, so the process keeps exactly one
/// ONNX Runtime (the CUDA build in the Gpu flavor).
/// </summary>
internal static class GenAiRuntime
{
    // Never disposed: OgaHandle's Dispose shuts GenAI down for the whole process, which is only right at exit, and the
    // library's own exit handling covers that.
    private static readonly Lazy<OgaHandle> Handle = new(() =>
    {
        OrtEnv.Instance();
        return new OgaHandle();
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void EnsureStarted() => _ = Handle.Value;

    /// <summary>Whether the service's ONNX Runtime is the CUDA build (GenAI still runs on its CPU provider: no CUDA GenAI package is served).</summary>
    public static bool ServiceRuntimeHasCuda() => OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider");
}
