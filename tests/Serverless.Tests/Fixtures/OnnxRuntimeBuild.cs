using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Tests.Fixtures;

/// <summary>
/// Which ONNX Runtime these tests run on: the CPU package (the default) or the Gpu flavor (.ci/run builds both), and
/// whether this machine has an NVIDIA GPU at all. Execution-provider tests assert what each combination must do.
/// </summary>
public static class OnnxRuntimeBuild
{
    public const string Trait = "ExecutionProvider";

    /// <summary>Directory.Build.props' OnnxRuntimeFlavor this test assembly was built with: Cpu or Gpu.</summary>
    public static string Flavor { get; } = typeof(OnnxRuntimeBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OnnxRuntimeFlavor").Value ?? "";

    /// <summary>True for the Gpu flavor (-p:OnnxRuntimeFlavor=Gpu), whose runtime lists the CUDA provider.</summary>
    public static bool HasCuda { get; } = OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider");

    /// <summary>The NVIDIA driver's control device: without it no CUDA library can reach a GPU.</summary>
    public static bool MachineHasNvidiaGpu { get; } = File.Exists("/dev/nvidiactl");
}
