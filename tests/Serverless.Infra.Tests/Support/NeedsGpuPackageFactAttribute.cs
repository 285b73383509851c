namespace Serverless.Infra.Tests.Support;

/// <summary>
/// A fact that reads the Gpu package's native libraries from the NuGet cache with readelf: skipped, with the reason,
/// where the package was never restored (.ci/run restores it) or binutils is missing.
/// </summary>
public sealed class NeedsGpuPackageFactAttribute : FactAttribute
{
    public NeedsGpuPackageFactAttribute()
    {
        Skip = OnnxRuntimeGpuPackage.Unreadable;
    }
}
