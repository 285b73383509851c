using System.Net;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>Configuration that changes what the server accepts: body limit, execution provider, preload readiness.</summary>
public sealed class ServingLimitsTests
{
    [Fact]
    public async Task Infer_BodyOverMaxRequestBytes_Returns413AndKeepsServing()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Inference:MaxRequestBytes", "2048"));
        var large = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"pad\":\"" + new string('x', 4096) + "\"}";

        await (await host.Client.InferAsync("iris-mlp", large)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "MaxRequestBytes");
        var chunked = new StringContent(large);
        chunked.Headers.ContentLength = null;
        var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/iris-mlp/infer") { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(large))) };
        request.Headers.TransferEncodingChunked = true;
        await (await host.Client.SendAsync(request)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "MaxRequestBytes");

        await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Infer_CudaRequestedOnCpuBuild_Returns503SayingWhy()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Inference:ExecutionProvider", "cuda"));

        await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "execution provider 'cuda' requested");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/v2/health/live")).StatusCode);
    }

    [Fact]
    public async Task Ready_PreloadedModelCannotLoad_Stays503WhileLiveIs200()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Models:Preload:0", "no-such-model"));

        var ready = await host.Client.GetAsync("/v2/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/v2/health/live")).StatusCode);
    }

    [Fact]
    public async Task Ready_AfterPreload_ModelIsAlreadyLoaded()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Models:Preload:0", "iris-mlp:1"));

        await HttpApiTests.WaitForReadyAsync(host.Client);

        var index = await (await host.Client.PostAsync("/v2/repository/index", Json("{\"ready\":true}"))).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("iris-mlp", Assert.Single(index.EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Start_InvalidExecutionProviderSetting_FailsAtStartup()
    {
        await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            ServerlessHost.StartAsync(("Inference:ExecutionProvider", "tpu")));
    }
}
