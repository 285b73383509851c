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
            string saved;
            await using (var host = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels)))
            {
                first = (await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("outputs").GetRawText();
                saved = await WaitForOptimizedGraphAsync(data);
            }
            var savedAt = File.GetLastWriteTimeUtc(saved);

            await using var restarted = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels));
            var second = (await (await restarted.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("outputs").GetRawText();

            Assert.Equal(first, second);
            Assert.Equal(savedAt, File.GetLastWriteTimeUtc(saved));
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
            string saved;
            await using (var host = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels)))
            {
                await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
                saved = await WaitForOptimizedGraphAsync(data);
            }
            await File.WriteAllTextAsync(saved, "garbage");

            await using var restarted = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels));

            await (await restarted.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(saved, await WaitForOptimizedGraphAsync(data, notContaining: "garbage"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Preload_OptimizedGraphWaitsForTheFirstServedRequest()
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            await using var host = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels), ("Models:Preload:0", "iris-mlp:1"));
            await HttpApiTests.WaitForReadyAsync(host.Client);

            // Loaded and warmed up, but nothing served yet: the save would only compete with the first request.
            await Task.Delay(300);
            var folder = Path.Combine(data, "optimized-models", "iris-mlp", "1");
            Assert.Empty(Directory.Exists(folder) ? Directory.GetFiles(folder) : []);

            await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
            await WaitForOptimizedGraphAsync(data);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The optimized graph is saved in the background after the first served request; wait for it (bounded).</summary>
    private static async Task<string> WaitForOptimizedGraphAsync(string data, string? notContaining = null)
    {
        var folder = Path.Combine(data, "optimized-models", "iris-mlp", "1");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var saved = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.onnx") : [];
            if (saved.Length == 1 && (notContaining is null || !(await File.ReadAllTextAsync(saved[0])).Contains(notContaining)))
            {
                return saved[0];
            }
            Assert.True(DateTime.UtcNow < deadline, "the optimized graph was not saved within 30 s");
            await Task.Delay(20);
        }
    }
}
