using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Repository;
using Serverless.Tests.Fakes;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Onnx;

[Trait("Category", OnnxRuntimeBuild.Trait)]
public sealed class ExecutionProviderSelectorTests
{
    private static readonly ModelKey Key = new("m", 1);
    private readonly ListLogger<ExecutionProviderSelector> _logger = new();

    private IReadOnlyList<string> Warnings => _logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();

    [Fact]
    public void OnnxRuntime_LoadedPackage_IsTheFlavorThisBuildReferenced()
    {
        // Guards the Gpu step of .ci/run: without it, a broken switch would test the CPU package twice.
        Assert.Equal(OnnxRuntimeBuild.Flavor == "Gpu", OnnxRuntimeBuild.HasCuda);
    }

    [Fact]
    public void ProbeModel_OnCpu_OpensAsOneIdentityNode()
    {
        using var session = new InferenceSession(ExecutionProviderSelector.ProbeModel);

        Assert.Equal("x", Assert.Single(session.InputMetadata).Key);
        Assert.Equal("y", Assert.Single(session.OutputMetadata).Key);
    }

    [WithoutGpuFact]
    public void Choose_AutoForSeveralModelsWithoutGpu_RunsOnCpuAndWarnsOncePerProcess()
    {
        var selector = new ExecutionProviderSelector(_logger);

        var providers = Enumerable.Range(1, 3).Select(version => selector.Choose("auto", new ModelKey("m", version), GpuConfig.Default)).ToList();

        Assert.All(providers, p => Assert.Equal(ExecutionProvider.Cpu, p));
        if (OnnxRuntimeBuild.HasCuda)
        {
            // The Gpu flavor on a machine without CUDA: one line that says what is missing.
            Assert.Matches(@"CUDA device 0 is unusable.*lib\w+\.so\.\d+", Assert.Single(Warnings));
        }
        else
        {
            Assert.Empty(Warnings);
        }
    }

    [WithoutGpuFact]
    public void Choose_CudaWithoutGpu_Throws503NamingWhatIsMissing()
    {
        var selector = new ExecutionProviderSelector(_logger);

        var error = Assert.Throws<ModelLoadException>(() => selector.Choose("cuda", Key, GpuConfig.Default));

        Assert.Equal(503, error.StatusCode);
        Assert.Contains("execution provider 'cuda' requested", error.Message);
        if (OnnxRuntimeBuild.HasCuda)
        {
            Assert.Matches(@"libonnxruntime_providers_cuda\.so cannot be loaded: lib\w+\.so\.\d+: cannot open shared object file", error.Message);
            Assert.Contains("CUDA 13", error.Message);
        }
        else
        {
            Assert.Contains("-p:OnnxRuntimeFlavor=Gpu", error.Message);
        }
        Assert.Empty(Warnings);
    }

    [WithGpuFact]
    public void Choose_CudaOnMachineWithGpu_ReturnsCudaThatSessionOptionsTake()
    {
        var selector = new ExecutionProviderSelector(_logger);
        using var options = new SessionOptions();

        Assert.Equal(ExecutionProvider.Cuda, selector.Choose("cuda", Key, GpuConfig.Default));
        ExecutionProviderSelector.Append(options, ExecutionProvider.Cuda, GpuConfig.Default);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void Choose_Cpu_ReturnsCpuWithoutProbing(string requested)
    {
        var selector = new ExecutionProviderSelector(_logger);

        Assert.Equal(ExecutionProvider.Cpu, selector.Choose(requested, Key, GpuConfig.Default with { DeviceId = 7 }));
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Choose_UnknownProvider_Throws503()
    {
        var selector = new ExecutionProviderSelector(_logger);

        var error = Assert.Throws<ModelLoadException>(() => selector.Choose("tpu", Key, GpuConfig.Default));

        Assert.Contains("'tpu' is not one of auto, cuda, cpu", error.Message);
    }

    [Fact]
    public void CudaProviderOptions_Defaults_AreDeviceZeroAndExhaustiveSearchWithoutALimit()
    {
        var options = ExecutionProviderSelector.CudaProviderOptions(GpuConfig.Default);

        Assert.Equal(new Dictionary<string, string> { ["device_id"] = "0", ["cudnn_conv_algo_search"] = "EXHAUSTIVE" }, options);
    }

    [Fact]
    public void CudaProviderOptions_MemoryLimit_SetsTheArenaLimitAndGrowsItByRequest()
    {
        var gpu = GpuConfig.Default with { DeviceId = 1, MemoryLimitBytes = 2_147_483_648, CudnnConvAlgoSearch = "heuristic" };

        var options = ExecutionProviderSelector.CudaProviderOptions(gpu);

        Assert.Equal("1", options["device_id"]);
        Assert.Equal("HEURISTIC", options["cudnn_conv_algo_search"]);
        Assert.Equal("2147483648", options["gpu_mem_limit"]);
        Assert.Equal("kSameAsRequested", options["arena_extend_strategy"]);
    }

    [Fact]
    public void Explain_ProviderLibraryCannotLoad_NamesTheMissingLibrary()
    {
        // Verbatim from OrtCUDAProviderOptions on this CPU-only machine (Gpu flavor 1.31.0).
        const string ort = "[ErrorCode:Fail] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2043 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library /app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory\n";

        var reason = ExecutionProviderSelector.Explain(ort);

        Assert.StartsWith("libonnxruntime_providers_cuda.so cannot be loaded: libcublasLt.so.13: cannot open shared object file: No such file or directory.", reason);
        Assert.Contains("NVIDIA driver R580 or newer", reason);
    }
}
