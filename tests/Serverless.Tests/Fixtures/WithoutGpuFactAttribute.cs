namespace Serverless.Tests.Fixtures;

/// <summary>
/// A fact about a machine without an NVIDIA GPU (CI's): how the server falls back or refuses. Skipped, with the
/// reason, where a GPU is present and CUDA might answer.
/// </summary>
public sealed class WithoutGpuFactAttribute : FactAttribute
{
    public WithoutGpuFactAttribute()
    {
        if (OnnxRuntimeBuild.MachineHasNvidiaGpu)
        {
            Skip = "this machine has an NVIDIA GPU (/dev/nvidiactl); the test checks what happens on machines without one";
        }
    }
}
