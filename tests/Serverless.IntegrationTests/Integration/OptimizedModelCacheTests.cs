using System.Net;
using Serverless.Testing;
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

            // Loaded and warmed up, but nothing served yet: the save would only compete with the first request. A save
            // started by the warm-up would have made its folder before the model was ready, so no waiting is needed.
            Assert.False(Directory.Exists(Path.Combine(data, "optimized-models", "iris-mlp")), "the optimized graph was being saved before the first request");

            await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
            await WaitForOptimizedGraphAsync(data);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The optimized graph is saved in the background after the first served request; wait for it (bounded).</summary>
    private static Task<string> WaitForOptimizedGraphAsync(string data, string? notContaining = null)
    {
        var folder = Path.Combine(data, "optimized-models", "iris-mlp", "1");
        return Eventually.ValueAsync(async () =>
        {
            var saved = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.onnx") : [];
            return saved.Length == 1 && (notContaining is null || !(await File.ReadAllTextAsync(saved[0])).Contains(notContaining)) ? saved[0] : null;
        }, "saving the optimized graph");
    }
}
