using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Tests.Fakes;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>
/// Which provider the real server picks, on whichever ONNX Runtime these tests were built with (.ci/run runs them on
/// the CPU package and on the Gpu flavor), and config.json's gpu settings checked at load.
/// </summary>
[Trait("Category", OnnxRuntimeBuild.Trait)]
public sealed class ExecutionProviderTests
{
    private static readonly string[] SampleModels = ["binary-classifier", "iris-mlp", "linear-regressor"];

    [WithoutGpuFact]
    public async Task Metadata_AutoWithoutGpu_EveryModelSaysCpuAndTheFallbackIsLoggedOnce()
    {
        var selectorLog = new ListLogger<ExecutionProviderSelector>();
        await using var host = await ServerlessHost.StartWithServicesAsync(
            services => services.AddSingleton<ILogger<ExecutionProviderSelector>>(selectorLog),
            ("Models:Repository", RepositoryPaths.SampleModels), ("Inference:ExecutionProvider", "auto"));

        foreach (var model in SampleModels)
        {
            var metadata = await (await host.Client.GetAsync($"/v2/models/{model}")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("CPUExecutionProvider", metadata.GetProperty("properties").GetProperty("execution_provider").GetString());
        }

        var warnings = selectorLog.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        if (OnnxRuntimeBuild.HasCuda)
        {
            Assert.Contains("libonnxruntime_providers_cuda.so cannot be loaded", Assert.Single(warnings));
        }
        else
        {
            Assert.Empty(warnings);
        }
    }

    [WithoutGpuFact]
    public async Task Infer_CudaRequestedWithoutGpu_Returns503NamingTheMissingLibraryForEveryModel()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Inference:ExecutionProvider", "cuda"));

        foreach (var model in SampleModels)
        {
            var error = await (await host.Client.GetAsync($"/v2/models/{model}")).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "execution provider 'cuda' requested");
            if (OnnxRuntimeBuild.HasCuda)
            {
                Assert.Matches(@"lib\w+\.so\.\d+: cannot open shared object file", error);
            }
            else
            {
                Assert.Contains("-p:OnnxRuntimeFlavor=Gpu", error);
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/v2/health/live")).StatusCode);
    }

    [Theory]
    [InlineData("""{"device_id": -1}""", "gpu.device_id is -1")]
    [InlineData("""{"memory_limit_bytes": -5}""", "gpu.memory_limit_bytes is -5")]
    [InlineData("""{"cudnn_conv_algo_search": "fastest"}""", "gpu.cudnn_conv_algo_search is 'fastest'; it must be one of exhaustive, heuristic, default")]
    [InlineData("""{"io_binding": "sometimes"}""", "config.json is not valid")]
    public async Task Infer_BadGpuSetting_Returns503NamingItAndKeepsServingOtherModels(string gpu, string reason)
    {
        using var repository = new GpuConfigRepository(("bad", $$"""{"gpu": {{gpu}}}"""),
            ("good", """{"gpu": {"device_id": 0, "memory_limit_bytes": 1073741824, "cudnn_conv_algo_search": "heuristic", "io_binding": true}}"""));
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", repository.Path));

        await (await host.Client.InferAsync("bad", IrisTwoRows)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, reason);

        await (await host.Client.InferAsync("good", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
    }

    /// <summary>A folder repository of copies of the iris sample, each with its own config.json.</summary>
    private sealed class GpuConfigRepository : IDisposable
    {
        public GpuConfigRepository(params (string Model, string Config)[] models)
        {
            foreach (var (model, config) in models)
            {
                Directory.CreateDirectory(System.IO.Path.Combine(Path, model, "1"));
                File.Copy(System.IO.Path.Combine(RepositoryPaths.SampleModels, "iris-mlp", "1", "model.onnx"), System.IO.Path.Combine(Path, model, "1", "model.onnx"));
                File.WriteAllText(System.IO.Path.Combine(Path, model, "config.json"), config);
            }
        }

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "serverless-gpu-config-" + Guid.NewGuid().ToString("N"));

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
