using System.Text.RegularExpressions;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Host;

/// <summary>
/// The image cannot be built here (no Docker engine, no registry): these pin the parts the Functions host depends on,
/// and check the CUDA libraries against what the ONNX Runtime Gpu package actually links. Whether the pinned tags
/// exist in their registries cannot be checked offline.
/// </summary>
public sealed partial class DockerfileTests
{
    private const string FunctionsImage = "mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0";

    private static readonly string[] Lines =
        File.ReadAllLines(Path.Combine(Repository.Root, "functions", "Serverless.Functions", "Dockerfile"));

    private static IEnumerable<string> FromLines => Lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal));

    [GeneratedRegex(@"^FROM nvidia/cuda:(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-cudnn-runtime-ubuntu\d+\.\d+ AS cuda$")]
    private static partial Regex CudaStage();

    // The libraries the CUDA stage hands over, as named on its cp line(s).
    private static IReadOnlyList<string> CopiedLibraries =>
        Lines.Where(l => l.Contains("cp -L ", StringComparison.Ordinal))
            .SelectMany(l => l[(l.IndexOf("cp -L ", StringComparison.Ordinal) + 6)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(word => word.Contains(".so", StringComparison.Ordinal))
            .Select(Path.GetFileName).ToList()!;

    /// <summary>The instructions of the stage named <paramref name="name"/>, its FROM line first; no comments or blank lines.</summary>
    private static IReadOnlyList<string> Stage(string name)
    {
        var start = Array.FindIndex(Lines, l => l.StartsWith("FROM ", StringComparison.Ordinal) && l.EndsWith($" AS {name}", StringComparison.Ordinal));
        Assert.True(start >= 0, $"no stage {name}");
        return Lines.Skip(start).TakeWhile((l, i) => i == 0 || !l.StartsWith("FROM ", StringComparison.Ordinal))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }

    [Fact]
    public void Dockerfile_FlavorArgument_DefaultsToGpuBeforeTheFirstStage()
    {
        var argument = Array.IndexOf(Lines, "ARG ONNXRUNTIME_FLAVOR=Gpu");

        Assert.InRange(argument, 0, Array.FindIndex(Lines, l => l.StartsWith("FROM ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Dockerfile_Publish_UsesTheFlavorArgument()
    {
        var build = Stage("build");

        Assert.Contains("ARG ONNXRUNTIME_FLAVOR", build);
        Assert.Contains(build, l => l.Contains("-p:OnnxRuntimeFlavor=${ONNXRUNTIME_FLAVOR}", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerfile_FinalStage_IsTheRuntimeStageOfTheFlavor() =>
        Assert.Equal("FROM runtime-${ONNXRUNTIME_FLAVOR}", FromLines.Last());

    [Fact]
    public void Dockerfile_RuntimeStages_AreTheDotnetIsolated10FunctionsImageWithCudaOnlyOnGpu()
    {
        var cpu = Stage("runtime-Cpu");
        var gpu = Stage("runtime-Gpu");

        Assert.Equal($"FROM {FunctionsImage} AS runtime-Cpu", Assert.Single(cpu));
        Assert.Equal("FROM runtime-Cpu AS runtime-Gpu", gpu[0]);
        Assert.Contains("COPY --from=cuda /cuda-libs/ /usr/local/cuda/lib64/", gpu);
        Assert.Contains(gpu, l => l.Contains("LD_LIBRARY_PATH=/usr/local/cuda/lib64", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AzureWebJobsScriptRoot=/home/site/wwwroot")]
    [InlineData("AzureFunctionsJobHost__Logging__Console__IsEnabled=true")]
    [InlineData("FUNCTIONS_WORKER_RUNTIME=dotnet-isolated")]
    public void Dockerfile_RuntimeEnvironment_SetsFunctionsHostSetting(string setting) =>
        Assert.Contains(Lines, l => l.Trim().TrimEnd('\\').Trim().Replace("ENV ", "", StringComparison.Ordinal) == setting);

    [Fact]
    public void Dockerfile_DotnetRuntime_ComesFromTheBaseImageNotACopy() =>
        Assert.DoesNotContain(Lines, l => l.StartsWith("COPY --from=mcr.microsoft.com/dotnet/", StringComparison.Ordinal));

    [Fact]
    public void Dockerfile_App_IsCopiedToTheScriptRoot() =>
        Assert.Equal("COPY --from=build /app /home/site/wwwroot", Lines.Last(l => l.StartsWith("COPY ", StringComparison.Ordinal)));

    [Fact]
    public void Dockerfile_BaseImages_AreNeverLatest() =>
        Assert.All(FromLines, l => Assert.DoesNotContain(":latest", l, StringComparison.Ordinal));

    [Fact]
    public void Dockerfile_CudaStage_IsAnExactCudnnRuntimeRelease() =>
        Assert.Single(FromLines, l => CudaStage().IsMatch(l));

    [Fact]
    public void Dockerfile_Cudnn_IsMajor9AsTheProviderLoadsIt()
    {
        // cuDNN is not linked but loaded at run time (the provider's cudnn-frontend checks for 9.x): every cuDNN 9 library.
        Assert.Contains("libcudnn*.so.9", CopiedLibraries);
    }

    [NeedsGpuPackageFact]
    public void Dockerfile_CudaMajor_IsTheOneTheGpuPackageLinks()
    {
        var needed = OnnxRuntimeGpuPackage.Needed(OnnxRuntimeGpuPackage.CudaProvider);
        var cudart = Assert.Single(needed, n => n.StartsWith("libcudart.so.", StringComparison.Ordinal));

        var image = CudaStage().Match(Assert.Single(FromLines, l => CudaStage().IsMatch(l)));

        Assert.Equal(cudart["libcudart.so.".Length..], image.Groups["major"].Value);
    }

    [NeedsGpuPackageFact]
    public void Dockerfile_CudaLibraries_AreEveryLibraryTheProviderLinksBesidesTheDriverAndTheSystem()
    {
        // The C and C++ runtime come with the base image; libcuda.so.1 comes with the driver, mounted by the GPU host.
        string[] fromElsewhere = ["libcuda.so.1", "libdl.so.2", "librt.so.1", "libpthread.so.0", "libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6", "ld-linux-x86-64.so.2"];
        var needed = OnnxRuntimeGpuPackage.Needed(OnnxRuntimeGpuPackage.CudaProvider).Except(fromElsewhere).Order().ToList();

        Assert.NotEmpty(needed);
        Assert.All(needed, library => Assert.Contains(library, CopiedLibraries));
    }

    [NeedsGpuPackageFact]
    public void GpuPackage_OnnxRuntimeItself_NeedsNoCudaLibrary()
    {
        // Why the CPU fallback works on a machine without CUDA: only the provider library, loaded on demand, needs it.
        Assert.DoesNotContain(OnnxRuntimeGpuPackage.Needed(Path.Combine(OnnxRuntimeGpuPackage.NativeDirectory, "libonnxruntime.so")),
            library => library.StartsWith("libcu", StringComparison.Ordinal));
    }
}
