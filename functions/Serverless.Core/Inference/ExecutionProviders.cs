namespace Serverless.Core.Inference;

public static class ExecutionProviders
{
    /// <summary>
    /// The name metadata, usage records and logs report: ONNX Runtime's own provider name, which clients and stored
    /// records already carry.
    /// </summary>
    public static string WireName(this ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => "CPUExecutionProvider",
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>Whether the session's weights live in GPU memory (Models:MaxGpuLoadedBytes counts them).</summary>
    public static bool OnGpu(this ExecutionProvider provider) => provider == ExecutionProvider.Cuda;
}
