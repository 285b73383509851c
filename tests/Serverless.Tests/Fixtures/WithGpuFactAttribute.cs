namespace Serverless.Tests.Fixtures;

/// <summary>A fact that needs the Gpu flavor on a machine with an NVIDIA GPU; skipped, with the reason, elsewhere (CI).</summary>
public sealed class WithGpuFactAttribute : FactAttribute
{
    public WithGpuFactAttribute()
    {
        if (!OnnxRuntimeBuild.HasCuda || !OnnxRuntimeBuild.MachineHasNvidiaGpu)
        {
            Skip = $"needs the Gpu flavor (this build: {OnnxRuntimeBuild.Flavor}) on a machine with an NVIDIA GPU (/dev/nvidiactl {(OnnxRuntimeBuild.MachineHasNvidiaGpu ? "present" : "absent")})";
        }
    }
}
