using System.Net;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

public sealed class OptimizedModelCacheTests
{
    [Fact]
    public async Task ColdStart_AfterFirstLoad_OpensTheSavedOptimizedGraphAndAnswersTheSame()
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            string first;
            await using (var host = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels)))
            {
                first = (await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("outputs").GetRawText();
            }
            var saved = Directory.GetFiles(Path.Combine(data, "optimized-models", "iris-mlp", "1"));
            Assert.Single(saved, f => f.EndsWith(".onnx", StringComparison.Ordinal));
            var savedAt = File.GetLastWriteTimeUtc(saved[0]);

            await using var restarted = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels));
            var second = (await (await restarted.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("outputs").GetRawText();

            Assert.Equal(first, second);
            Assert.Equal(savedAt, File.GetLastWriteTimeUtc(saved[0]));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task ColdStart_CorruptOptimizedGraph_IsRebuiltAndServes()
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            await using (var host = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels)))
            {
                await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
            }
            var saved = Directory.GetFiles(Path.Combine(data, "optimized-models", "iris-mlp", "1")).Single();
            await File.WriteAllTextAsync(saved, "garbage");

            await using var restarted = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels));

            await (await restarted.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.NotEqual("garbage", await File.ReadAllTextAsync(saved));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
