using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Host;

/// <summary>The image cannot be built here (no Docker engine); these pin the parts the Functions host depends on.</summary>
public sealed class DockerfileTests
{
    private static readonly string[] Lines =
        File.ReadAllLines(Path.Combine(Repository.Root, "functions", "Serverless.Functions", "Dockerfile"));

    private static IEnumerable<string> FromLines => Lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal));

    [Fact]
    public void Dockerfile_Publish_UsesTheGpuOnnxRuntimeFlavor() =>
        Assert.Contains(Lines, l => l.Contains("-p:OnnxRuntimeFlavor=Gpu", StringComparison.Ordinal));

    [Theory]
    [InlineData("AzureWebJobsScriptRoot=/home/site/wwwroot")]
    [InlineData("AzureFunctionsJobHost__Logging__Console__IsEnabled=true")]
    [InlineData("FUNCTIONS_WORKER_RUNTIME=dotnet-isolated")]
    public void Dockerfile_RuntimeEnvironment_SetsFunctionsHostSetting(string setting) =>
        Assert.Contains(Lines, l => l.Trim().TrimEnd('\\').Trim() == setting);

    [Fact]
    public void Dockerfile_FinalStage_IsTheDotnetIsolated10FunctionsImage() =>
        Assert.Equal("FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", FromLines.Last());

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
    public void Dockerfile_Cuda_IsVersion12WithCudnn() =>
        Assert.Contains(Lines, l => l.StartsWith("FROM nvidia/cuda:12.", StringComparison.Ordinal) && l.Contains("cudnn", StringComparison.Ordinal));
}
